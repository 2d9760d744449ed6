"""Every project under examples/ runs green, each in its own pytest process, as a user would run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, need_service

EXAMPLES = ROOT / "examples"


def _run(pytester: pytest.Pytester, example: str, *args: str) -> pytest.RunResult:
    shutil.copytree(EXAMPLES / example, pytester.path, dirs_exist_ok=True)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=300)


@pytest.mark.parametrize(
    ("example", "args", "passed"),
    [
        ("in_memory_server", (), 3),
        ("subprocess_server", (), 3),
        ("db_backed_tool", ("--mcp-db-url", "sqlite"), 4),
        ("http_mocked_tool", ("-p", "anyio"), 2),
        ("stub_served_tool", (), 3),
        ("async_client", (), 4),
    ],
)
def test_example_passes(pytester: pytest.Pytester, example: str, args: tuple[str, ...], passed: int) -> None:
    _run(pytester, example, *args).assert_outcomes(passed=passed)


def test_db_example_passes_on_a_real_postgresql(pytester: pytest.Pytester) -> None:
    url = os.environ.get("MCPTEST_DB_URL", "")
    need_service(url.startswith("postgres"), "a PostgreSQL server (MCPTEST_DB_URL, see .ci/services.sh)")
    result = _run(pytester, "db_backed_tool", "--mcp-db-url", url, "-v")
    result.assert_outcomes(passed=4)


def _docker_ready() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


def test_docker_example_passes_against_a_real_container(pytester: pytest.Pytester) -> None:
    need_service(_docker_ready(), "a Docker engine (dockerd, see .ci/docker.sh)")
    base = os.environ.get("MCPTEST_DOCKER_BASE_IMAGE", "mcptest-base:bookworm")
    image = "mcptest-example-docker-target"
    build = subprocess.run(["docker", "build", "-q", "--build-arg", f"BASE_IMAGE={base}", "-t", image,
                            str(EXAMPLES / "docker_target")],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    result = _run(pytester, "docker_target", "--mcp-server", f"docker:{image}", "test_docker_target.py", "-v")
    result.assert_outcomes(passed=3)
    suite = pytester.runpytest_subprocess("--mcp-server", f"docker:{image}", "--mcp-strict", timeout=600)
    assert suite.ret == 0, suite.stdout.str()[-3000:]
