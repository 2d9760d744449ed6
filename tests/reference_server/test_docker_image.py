"""The reference server's image from ``deploy/Dockerfile``, built offline on the local base image: mcptest's
built-in suite passes against the container in strict mode, its health endpoints answer, and it runs as non-root.

Nothing is pulled: the base image is ``$MCPTEST_DOCKER_BASE_IMAGE`` (default ``mcptest-base:bookworm``, built by
``.ci/docker.sh``) and the dependencies are wheels built by the host's pip into ``.ci/cache/wheels/<key>/`` (keyed
by pyproject.toml and the host's Python version) and handed to the build in a ``wheels/`` folder of its context.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mcptest import Settings, run_all
from mcptest.launch import docker as mcp_docker
from mcptest.launch.process import LaunchError
from tests.conftest import ROOT, need_service

BASE_IMAGE = os.environ.get("MCPTEST_DOCKER_BASE_IMAGE", "mcptest-base:bookworm")
IMAGE = "mcptest-test/reference-server:latest"
WHEEL_CACHE = ROOT / ".ci" / "cache" / "wheels"
DOCKERFILE = "reference_server/deploy/Dockerfile"
SOURCES = ("pyproject.toml", "README.md", "mcptest", "reference_server")
SERVER_UID = "10001"


def requirements() -> list[str]:
    """What the image installs besides the project: its dependencies, the ``reference`` extra, the build backend."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    backend = project["build-system"]["requires"]
    return [*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["reference"], *backend]


def wheelhouse() -> Path:
    """Wheels of every requirement, built by the host's pip once per pyproject.toml and Python version."""
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    target = WHEEL_CACHE / f"{key}-py{sys.version_info.major}{sys.version_info.minor}"
    if (target / ".complete").is_file():
        return target
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=WHEEL_CACHE))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-w", str(partial), *requirements()],
            capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            tail = "\n    ".join((done.stdout + done.stderr).splitlines()[-20:])
            pytest.fail(f"`pip wheel` of the image's requirements failed (can the host's pip reach an index?):"
                        f"\n    {tail}")
        (partial / ".complete").touch()
        for stale in WHEEL_CACHE.iterdir():  # wheels of older pyproject.toml versions, an unfinished attempt
            if stale.is_dir() and re.fullmatch(r"[0-9a-f]{16}-py\d+", stale.name):
                shutil.rmtree(stale, ignore_errors=True)
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def build_context(where: Path, wheels: Path) -> Path:
    """The repository's sources plus ``wheels/`` (hard links into the cache where possible)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=ignore)
        else:
            shutil.copy2(source, where / name)
    shutil.copytree(wheels, where / "wheels", ignore=shutil.ignore_patterns(".complete"), copy_function=_link_or_copy)
    return where


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """One build at a time across pytest-xdist workers and concurrent runs (the second finds it all cached)."""
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    with open(WHEEL_CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def need_engine() -> None:
    """Skip (fail in CI) unless a Docker engine answers and has the base image; the reason says how to get them."""
    try:
        mcp_docker.check_image(mcp_docker.client(), BASE_IMAGE)
    except LaunchError as exc:
        need_service(False, f"a Docker engine with the base image {BASE_IMAGE} ({exc}; see .ci/docker.sh)")


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The image built from deploy/Dockerfile with ``BASE_IMAGE`` and offline wheels; the previous build is removed."""
    import docker
    from docker.errors import BuildError, ImageNotFound

    need_engine()
    with build_lock(), contextlib.closing(docker.from_env(timeout=600)) as sdk:
        context = build_context(tmp_path_factory.mktemp("docker-context"), wheelhouse())
        try:
            previous = sdk.images.get(IMAGE).id
        except ImageNotFound:
            previous = None
        try:
            built, _ = sdk.images.build(
                path=str(context), dockerfile=DOCKERFILE, tag=IMAGE, buildargs={"BASE_IMAGE": BASE_IMAGE},
                pull=False, rm=True, forcerm=True,
            )  # fmt: skip
        except BuildError as exc:
            lines = [str(part.get("stream") or part.get("error") or "").rstrip() for part in exc.build_log]
            tail = "\n    ".join([line for line in lines if line][-25:])
            pytest.fail(f"docker build -f {DOCKERFILE} failed: {exc.msg}\n    {tail}", pytrace=False)
        if previous and previous != built.id:
            with contextlib.suppress(docker.errors.APIError):
                sdk.images.remove(previous, noprune=False)
    return IMAGE


def test_the_container_passes_the_builtin_suite_in_strict_mode(image: str) -> None:
    run = run_all(Settings(server=f"docker:{image}", docker_port=8000, strict=True))
    run.close()
    assert run.error is None, run.error
    assert run.coverage is not None
    assert {state.surface.server_name for state in run.coverage.states.values()} == {"mcp-reference-server"}
    bad = [f"{f.outcome} {f.check} {f.item}: {f.message}" for f in run.findings if f.outcome in ("fail", "warn")]
    assert bad == [], "\n\n".join(bad)
    assert sum(f.outcome == "pass" for f in run.findings) > 100
    assert {f.check for f in run.findings if f.outcome == "pass"} >= {"HTTP-01", "FUZZ-01"}  # judged over HTTP
    counts = {outcome: sum(f.outcome == outcome for f in run.findings) for outcome in ("pass", "n/a")}
    print(f"measured: {image} on {BASE_IMAGE}, strict suite over HTTP: {counts['pass']} pass, "
          f"{counts['n/a']} n/a, 0 fail, 0 warn")


def test_the_container_is_healthy_ready_and_not_root(image: str) -> None:
    container = mcp_docker.run_http_container(image, 8000, {})
    try:
        base = container.url.removesuffix("/mcp")
        health = httpx.get(f"{base}/health", timeout=5, trust_env=False)
        assert health.status_code == 200 and health.json()["status"] == "healthy"
        ready = httpx.get(f"{base}/ready", timeout=5, trust_env=False)
        assert ready.status_code == 200 and ready.json()["ready"] is True
        exit_code, output = container.container.exec_run(["id", "-u"])
        assert (exit_code, output.decode().strip()) == (0, SERVER_UID)
        processes = container.container.top(ps_args="-o pid,uid,args")["Processes"]
        servers = [uid for _, uid, args in processes if "reference_server" in args]
        assert servers and set(servers) == {SERVER_UID}, processes  # the server itself is not root either
    finally:
        container.stop()
    config = container.container.client.images.get(image).attrs["Config"]
    assert config["User"] == f"{SERVER_UID}:{SERVER_UID}"
    assert "/health" in " ".join(config["Healthcheck"]["Test"])
