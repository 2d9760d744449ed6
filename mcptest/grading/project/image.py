"""Building a submission's image offline: its wheels, a grading base image that installs from them, the build."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcptest.grading.project.files import Project

BASE_DOCKERFILE = """\
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY wheels /opt/mcptest-wheels
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \\
    PIP_NO_INDEX=1 \\
    PIP_FIND_LINKS=/opt/mcptest-wheels \\
    PIP_DISABLE_PIP_VERSION_CHECK=1 \\
    PIP_NO_CACHE_DIR=1
"""
BASE_REPOSITORY = "mcptest-grading-base"


class ImageError(RuntimeError):
    """The submission's image cannot be built; the message says why, ``details`` holds the build's last lines."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class GradingSetupError(RuntimeError):
    """The grading machine cannot build images (a problem of the machine, not of the submission)."""


@dataclass(frozen=True)
class BuildPlan:
    """Where to build from: the context folder and the Dockerfile inside it."""

    context: Path
    dockerfile: Path
    source: str  # how it was found, for messages

    @property
    def dockerfile_in_context(self) -> str:
        """The Dockerfile's path relative to the context (what ``docker build -f`` takes)."""
        return self.dockerfile.relative_to(self.context).as_posix()


def build_plan(project: Project) -> BuildPlan:
    """The compose file's ``build:`` (context and dockerfile), else ``Dockerfile`` in the project folder."""
    compose = project.compose()
    if compose is not None:
        path, document = compose
        for name, service in (document.get("services") or {}).items():
            build = service.get("build") if isinstance(service, dict) else None
            if build is None:
                continue
            context_text, dockerfile = (build, "Dockerfile") if isinstance(build, str) else (
                build.get("context", "."), build.get("dockerfile", "Dockerfile"))
            context = (path.parent / str(context_text)).resolve()
            return BuildPlan(context, (context / str(dockerfile)).resolve(),
                             f"{project.relative(path)} (service {name!r})")
    return BuildPlan(project.root, project.root / "Dockerfile", "Dockerfile in the project folder")


def requirements(context: Path) -> list[str]:
    """What the image will pip-install: ``requirements.txt``, else pyproject.toml's dependencies, extras and
    build backend (references to the project itself left out)."""
    listed = context / "requirements.txt"
    if listed.is_file():
        lines = [line.split("#")[0].strip() for line in listed.read_text(encoding="utf-8").splitlines()]
        return [line for line in lines if line and not line.startswith("-")]
    pyproject = context / "pyproject.toml"
    if not pyproject.is_file():
        return []
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    own = re.compile(rf"^{re.escape(str(project.get('name', '')))}\b", re.IGNORECASE)
    found = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    found += data.get("build-system", {}).get("requires", [])
    return sorted({req for req in found if not own.match(req)})


def cache_dir() -> Path:
    """Where wheels are kept between gradings (``MCPTEST_GRADE_CACHE``, default ``~/.cache/mcptest/grading``)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mcptest" / "grading"
    return Path(os.environ.get("MCPTEST_GRADE_CACHE", default))


def wheelhouse(wanted: list[str]) -> tuple[Path, str]:
    """Wheels for ``wanted`` built by this machine's pip (cached per requirement set and Python version)."""
    key = hashlib.sha256("\n".join([sys.version.split()[0][:4], *wanted]).encode()).hexdigest()[:16]
    target = cache_dir() / "wheels" / key
    if (target / ".complete").is_file():
        return target, key
    target.mkdir(parents=True, exist_ok=True)
    if wanted:
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "-w",
                               str(target), *wanted], capture_output=True, text=True, timeout=900,
                              stdin=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-12:])
            raise ImageError(f"pip could not get wheels for your requirements ({', '.join(wanted)[:200]}): {tail}")
    (target / ".complete").touch()
    return target, key


def grading_base(sdk: Any, base_image: str, wheels: Path, key: str) -> str:
    """An image FROM ``base_image`` with a virtualenv on PATH and pip set to install offline from ``wheels``."""
    from docker.errors import BuildError, ImageNotFound

    tag = f"{BASE_REPOSITORY}:{key}"
    try:
        sdk.images.get(tag)
        return tag
    except ImageNotFound:
        pass
    probe = sdk.containers.run(base_image, ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               remove=True, network_disabled=True)
    theirs, ours = probe.decode().strip(), f"{sys.version_info.major}.{sys.version_info.minor}"
    if theirs != ours:
        raise GradingSetupError(f"the base image {base_image} has Python {theirs} but the grader's wheels are built "
                                f"by Python {ours}: grade with a Python {theirs} interpreter")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        data = BASE_DOCKERFILE.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        tar.add(str(wheels), arcname="wheels", filter=lambda member: None if member.name.endswith(".complete")
                else member)
    archive.seek(0)
    try:
        sdk.images.build(fileobj=archive, custom_context=True, tag=tag, buildargs={"BASE_IMAGE": base_image},
                         pull=False, rm=True, forcerm=True)
    except BuildError as exc:
        raise GradingSetupError(f"could not build the grading base image from {base_image}: {exc.msg}") from None
    return tag


def build(sdk: Any, plan: BuildPlan, tag: str, base: str) -> Any:
    """``docker build`` the submission with ``BASE_IMAGE=<base>``; the image, or ImageError with the log's tail."""
    from docker.errors import APIError, BuildError

    if not plan.dockerfile.is_file():
        raise ImageError(f"no Dockerfile at {plan.dockerfile} (from {plan.source})")
    try:
        image, _ = sdk.images.build(path=str(plan.context), dockerfile=plan.dockerfile_in_context, tag=tag,
                                    buildargs={"BASE_IMAGE": base}, pull=False, rm=True, forcerm=True)
    except BuildError as exc:
        lines = [str(part.get("stream") or part.get("error") or "").rstrip() for part in exc.build_log]
        tail = [line for line in lines if line.strip()][-15:]
        raise ImageError(f"docker build failed: {exc.msg}", "\n".join(tail)) from None
    except APIError as exc:
        raise ImageError(f"docker build failed: {exc.explanation or exc}") from None
    return image


def image_tag(project: Project) -> str:
    """A stable tag for this project's image."""
    digest = hashlib.sha256(str(project.root).encode()).hexdigest()[:12]
    return f"mcptest-grade/submission-{digest}:latest"
