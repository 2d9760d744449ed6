"""Docker targets over stdio: docker_argv + ServerProcess, the --mcp-server docker:IMAGE path, cleanup."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mcptest.connect import ServerHandle
from mcptest.discovery import initialize
from mcptest.launch.docker import cleanup, docker_argv
from mcptest.launch.process import ServerProcess
from mcptest.settings import Settings
from mcptest.target import parse_target

READ_TIMEOUT = 30.0
WAITS_FOREVER = ("python3", "-c", "import threading; print('up', flush=True); threading.Event().wait()")


@pytest.fixture
def start() -> Iterator[Callable[[tuple[str, ...], dict[str, str]], ServerProcess]]:
    """Start ``ServerProcess(argv, env=env)``; every process started is stopped after the test."""
    started: list[ServerProcess] = []

    def run(argv: tuple[str, ...], env: dict[str, str]) -> ServerProcess:
        server = ServerProcess(argv, env=env)
        started.append(server)
        return server

    yield run
    for server in started:
        server.stop(grace=1.0)


def request(server: ServerProcess, id: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Send one request and return the decoded response (bounded by READ_TIMEOUT)."""
    server.write(json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).encode() + b"\n")
    line = server.read_line(READ_TIMEOUT)
    assert line is not None, f"no answer to {method} within {READ_TIMEOUT} s{server.format_stderr()}"
    return json.loads(line)


def test_initialize_round_trip_and_stop_leaves_no_container(example_image, our_containers, start) -> None:
    server = start(docker_argv(example_image, {}), {})

    hello = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    reply = request(server, 1, "initialize", hello)
    assert reply["result"]["protocolVersion"] == "2025-06-18"
    assert reply["result"]["serverInfo"]["name"] == "docker-target-example"
    call = request(server, 2, "tools/call", {"name": "word_count", "arguments": {"text": "three little words"}})
    assert call["result"]["content"] == [{"type": "text", "text": "3"}]
    assert len(our_containers.list()) == 1

    assert server.stop() == 0  # closing stdin ends the server; --rm removes the container
    assert our_containers.after_wait() == []


def test_env_values_reach_the_container_but_not_the_command_line(base_image, our_containers, start) -> None:
    env = {"MCPTEST_GREETING": "s3cret-value"}
    echo = ("python3", "-c", "import os; print(os.environ['MCPTEST_GREETING'])")
    argv = docker_argv(base_image, env, command=echo)

    server = start(argv, env)

    assert server.read_line(READ_TIMEOUT) == b"s3cret-value\n"
    assert "s3cret-value" not in " ".join(argv)
    assert "MCPTEST_GREETING" in argv


def test_cleanup_removes_a_container_whose_client_was_killed(base_image, our_containers, start) -> None:
    server = start(docker_argv(base_image, {}, command=WAITS_FOREVER), {})
    assert server.read_line(READ_TIMEOUT) == b"up\n"

    server.proc.kill()  # the docker CLI dies; this server ignores stdin, so its container keeps running
    server.proc.wait(timeout=10)
    assert [c.status for c in our_containers.list()] == ["running"]

    assert cleanup() == 1
    assert our_containers.list() == []
    assert cleanup() == 0


def test_docker_target_through_server_handle(example_image, our_containers) -> None:
    target = parse_target(f"docker:{example_image}", env=(("MCPTEST_UNUSED", "1"),))
    handle = ServerHandle(target, Settings(server=target.raw, timeout=READ_TIMEOUT))
    handle.start()
    try:
        result = initialize(handle.open())
    finally:
        handle.close()

    assert result["serverInfo"] == {"name": "docker-target-example", "version": "1.0.0"}
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert our_containers.after_wait() == []
