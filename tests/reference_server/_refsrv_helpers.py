"""Helpers for the reference server tests: in-memory client, pagination walk, free ports, a fake clock."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client
from mcp.server import MCPServer


class FakeClock:
    """A clock that only moves when told to (sleeping advances it instantly)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def connect(server: MCPServer, **kwargs: Any) -> AsyncIterator[Client]:
    """An in-process client speaking real JSON-RPC frames (handshake era)."""
    async with Client(server, mode="legacy", cache=None, **kwargs) as client:
        yield client


async def all_tools(client: Client) -> list[Any]:
    """Every tool, following nextCursor."""
    tools, cursor = [], None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            return tools


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StdioProcess:
    """The server as a subprocess in its own process group; raw JSON-RPC lines in and out, bounded reads."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        import os
        import queue
        import subprocess
        import sys
        import threading

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reference_server", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            start_new_session=True,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.stderr: list[bytes] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True).start()

    @staticmethod
    def _pump(stream: Any, sink: Any) -> None:
        for line in iter(stream.readline, b""):
            sink(line)

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        import json

        self.send_raw(json.dumps(message).encode() + b"\n")

    def recv(self, timeout: float = 10.0) -> dict[str, Any]:
        import json
        import queue

        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message within {timeout} s; stderr: {b''.join(self.stderr[-20:])!r}") from None
        return json.loads(line)

    def recv_until(self, predicate: Any, timeout: float = 10.0) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        import time

        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.recv(max(0.01, deadline - time.monotonic()))
            if predicate(message):
                return seen, message
            seen.append(message)

    def initialize(self, version: str = "2025-11-25") -> dict[str, Any]:
        self.send(
            {
                "jsonrpc": "2.0",
                "id": "init",
                "method": "initialize",
                "params": {
                    "protocolVersion": version,
                    "capabilities": {},
                    "clientInfo": {"name": "tests", "version": "0"},
                },
            }
        )
        reply = self.recv()
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return reply

    def close(self) -> int:
        """Close stdin (the spec's shutdown), then SIGTERM and SIGKILL the group if it lingers."""
        import os
        import signal
        import subprocess

        if self.proc.poll() is None and self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            for sig in (None, signal.SIGTERM, signal.SIGKILL):
                if sig is not None and self.proc.poll() is None:
                    os.killpg(self.proc.pid, sig)
                try:
                    return self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    continue
            return self.proc.wait(timeout=5)
        finally:
            self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None and not pipe.closed:
                pipe.close()

    def kill(self) -> None:
        """SIGKILL the whole process group now."""
        import os
        import signal

        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=5)
        self._close_pipes()


def by_id(request_id: Any) -> Any:
    return lambda message: message.get("id") == request_id and ("result" in message or "error" in message)


@asynccontextmanager
async def serve_http(app: Any, port: int) -> AsyncIterator[str]:
    """Run uvicorn in this event loop on 127.0.0.1:port; yield the base URL; stop it afterwards."""
    import anyio
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
