"""Docker targets' errors: no engine, a missing image, a bad variable name: one actionable line each."""

from __future__ import annotations

import pytest

from mcptest.launch.docker import docker_argv, remove_containers, run_http_container
from mcptest.launch.process import LaunchError


@pytest.fixture
def no_engine(tmp_path, monkeypatch) -> str:
    """DOCKER_HOST pointing at a unix socket nothing listens on."""
    address = f"unix://{tmp_path / 'docker.sock'}"
    monkeypatch.setenv("DOCKER_HOST", address)
    return address


def test_no_engine_names_the_address_and_how_to_start_one(no_engine) -> None:
    with pytest.raises(LaunchError) as caught:
        docker_argv("any-image:1.0", {})

    message = str(caught.value)
    assert message.startswith(f"no Docker engine reachable at {no_engine}: start one with `dockerd &`")
    assert "DOCKER_HOST" in message
    assert "\n" not in message


def test_no_engine_is_the_same_error_for_http_containers_and_cleanup(no_engine) -> None:
    with pytest.raises(LaunchError, match="no Docker engine reachable"):
        run_http_container("any-image:1.0", 8000, {})
    with pytest.raises(LaunchError, match="no Docker engine reachable"):
        remove_containers("some-run")


def test_missing_image_says_how_to_build_or_list_images(engine) -> None:
    with pytest.raises(LaunchError) as caught:
        docker_argv("mcptest-no-such-image:never", {})

    message = str(caught.value)
    assert "Docker image 'mcptest-no-such-image:never' is not on the engine" in message
    assert "`docker build -t mcptest-no-such-image:never DIR`" in message
    assert "`docker images`" in message


def test_invalid_environment_variable_name_is_refused() -> None:
    with pytest.raises(LaunchError, match=r"environment variable name 'BAD NAME' cannot be passed to a container"):
        docker_argv("any-image:1.0", {"BAD NAME": "x"})
