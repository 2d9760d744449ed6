"""The built-in suite against containers: over stdio, and over HTTP with --mcp-docker-port."""

from __future__ import annotations

from mcptest.runner import run_all
from mcptest.settings import Settings


def test_suite_over_http_to_a_published_container_port(http_image, our_containers) -> None:
    result = run_all(Settings(server=f"docker:{http_image}", docker_port=8000), areas=("lifecycle", "http"))
    result.close()
    assert result.error is None, result.error
    assert result.coverage is not None
    assert {state.surface.server_name for state in result.coverage.states.values()} == {"http-fixture"}
    http_checks = {f.check for f in result.findings if f.check.startswith("HTTP-")}
    assert {"HTTP-01", "HTTP-09", "HTTP-12"} <= http_checks  # the container is judged as an HTTP server
    assert our_containers.list() == []  # closing the run removed the container
