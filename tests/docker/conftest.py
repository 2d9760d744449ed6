"""Docker test fixtures: a reachable engine (skip, or fail under MCPTEST_REQUIRE_SERVICES=1) and test images."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mcptest.fixtures_mocks import skip_or_fail_missing_service
from mcptest.launch import docker as mcp_docker
from mcptest.launch.process import LaunchError
from mcptest.launch.wait import wait_until

if TYPE_CHECKING:
    from docker import DockerClient
    from docker.models.containers import Container

ROOT = Path(__file__).resolve().parents[2]
BASE_IMAGE = "mcptest-base:bookworm"
EXAMPLE_IMAGE = "mcptest-test/docker-target:latest"
HTTP_IMAGE = "mcptest-test/http-fixture:latest"
SETUP_HINT = "start one and build the base image with `bash .ci/docker.sh`"


def _ready_engine() -> tuple[DockerClient | None, str]:
    """A client for an engine that has the base image, or None and why not."""
    try:
        sdk = mcp_docker.client()
    except LaunchError as exc:
        return None, f"these tests need a Docker engine ({exc}); {SETUP_HINT}"
    try:
        mcp_docker.check_image(sdk, BASE_IMAGE)
    except LaunchError:
        return None, f"these tests need the base image {BASE_IMAGE}: {SETUP_HINT}"
    return sdk, ""


@pytest.fixture(scope="session")
def engine() -> DockerClient:
    """A Docker SDK client for a running engine that has the local base image."""
    sdk, why = _ready_engine()
    if sdk is None:
        skip_or_fail_missing_service(why)
    assert sdk is not None
    return sdk


@pytest.fixture(scope="session")
def base_image(engine: DockerClient) -> str:
    """The local base image (python3, no network needed), as built by .ci/docker.sh."""
    return BASE_IMAGE


def _build(sdk: DockerClient, context: Path, tag: str) -> str:
    sdk.images.build(path=str(context), tag=tag, buildargs={"BASE_IMAGE": BASE_IMAGE}, rm=True, pull=False)
    return tag


@pytest.fixture(scope="session")
def example_image(engine: DockerClient) -> str:
    """examples/docker_target (a standard-library stdio MCP server) built on the local base image."""
    return _build(engine, ROOT / "examples" / "docker_target", EXAMPLE_IMAGE)


@pytest.fixture(scope="session")
def http_image(engine: DockerClient) -> str:
    """fixtures/docker (a standard-library MCP server on HTTP port 8000) built on the local base image."""
    return _build(engine, ROOT / "fixtures" / "docker", HTTP_IMAGE)


class OurContainers:
    """The containers this process started (label ``mcptest.run=run_id()``)."""

    def __init__(self, sdk: DockerClient) -> None:
        self.sdk = sdk

    def list(self) -> list[Container]:
        """Every such container, running or not."""
        return self.sdk.containers.list(all=True, filters={"label": f"{mcp_docker.LABEL}={mcp_docker.run_id()}"})

    def after_wait(self, timeout: float = 10.0) -> list[Container]:
        """Wait (bounded) until none is left; those still there afterwards."""
        wait_until(lambda: not self.list(), timeout, interval=0.1)
        return self.list()


@pytest.fixture
def our_containers(engine: DockerClient) -> Iterator[OurContainers]:
    """Watches the containers this process starts; removes any left when the test ends."""
    yield OurContainers(engine)
    mcp_docker.cleanup()
