"""A raw 2026-07-28 Streamable HTTP client for the reference server's tests: per-request ``_meta`` envelope, routing
headers, SSE or JSON answers, and ``subscriptions/listen`` streams read on a background thread."""

from __future__ import annotations

import itertools
import json
import os
import signal
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
from _refsrv_helpers import PY

from mcptest.launch.process import ServerProcess
from mcptest.launch.wait import free_port, wait_until

VERSION = "2026-07-28"
TASKS = "io.modelcontextprotocol/tasks"
NAME_PARAMS = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: its status and the JSON-RPC response it carried."""

    status: int
    message: dict[str, Any]

    @property
    def result(self) -> dict[str, Any]:
        assert "result" in self.message, f"expected a result, got HTTP {self.status} {self.message}"
        return dict(self.message["result"])

    @property
    def error(self) -> dict[str, Any]:
        assert "error" in self.message, f"expected an error, got HTTP {self.status} {self.message}"
        return dict(self.message["error"])


def envelope(capabilities: Mapping[str, Any]) -> dict[str, Any]:
    """The per-request ``_meta`` every 2026-07-28 request carries."""
    return {
        "io.modelcontextprotocol/protocolVersion": VERSION,
        "io.modelcontextprotocol/clientCapabilities": dict(capabilities),
        "io.modelcontextprotocol/clientInfo": {"name": "reference-server-tests", "version": "0"},
    }


def routing_headers(method: str, params: Mapping[str, Any]) -> dict[str, str]:
    """``MCP-Protocol-Version``, ``Mcp-Method`` and, where the body names something, ``Mcp-Name``."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": VERSION,
        "Mcp-Method": method,
    }
    name = params.get(NAME_PARAMS[method]) if method in NAME_PARAMS else params.get("taskId")
    if isinstance(name, str):
        headers["Mcp-Name"] = name
    return headers


def _messages(response: httpx.Response) -> list[dict[str, Any]]:
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        data = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        return [json.loads(item) for item in data if item.strip()]
    return [response.json()] if response.content else []


class ModernClient:
    """Sends 2026-07-28 requests to one server URL; every request states its own capabilities."""

    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self.url = url
        self.http = http
        self._ids = itertools.count(1)

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        capabilities: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send one request; ``headers`` override the routing headers."""
        body_params = {**(params or {}), "_meta": envelope(capabilities or {})}
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": body_params}
        sent = {**routing_headers(method, body_params), **(headers or {})}
        response = await self.http.post(self.url, json=request, headers=sent)
        replies = [m for m in _messages(response) if m.get("id") == request["id"]]
        assert replies, f"no response to {method} (HTTP {response.status_code}): {response.text[:500]}"
        return Answer(response.status_code, replies[-1])

    async def tool(
        self, name: str, arguments: Mapping[str, Any], capabilities: Mapping[str, Any] | None = None, **extra: Any
    ) -> Answer:
        """``tools/call``; ``extra`` adds params such as ``inputResponses`` and ``requestState``."""
        return await self.call("tools/call", {"name": name, "arguments": dict(arguments), **extra}, capabilities)

    @asynccontextmanager
    async def listen(
        self, notifications: Mapping[str, Any], capabilities: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Frames]:
        """Open a ``subscriptions/listen`` stream; yields once it is acknowledged; closing it ends the subscription."""
        frames = Frames()
        params = {"notifications": dict(notifications), "_meta": envelope(capabilities or {})}
        request_id = f"listen-{next(self._ids)}"
        request = {"jsonrpc": "2.0", "id": request_id, "method": "subscriptions/listen", "params": params}

        async def read() -> None:
            headers = routing_headers("subscriptions/listen", params)
            async with self.http.stream("POST", self.url, json=request, headers=headers) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data:") and line[5:].strip():
                        await frames.put(json.loads(line[5:]))

        async with anyio.create_task_group() as group:
            group.start_soon(read)
            first = await frames.next(10)
            assert first["method"] == "notifications/subscriptions/acknowledged", first
            frames.acknowledgement = first
            yield frames
            group.cancel_scope.cancel()


class Frames:
    """Frames of one listen stream, in arrival order."""

    def __init__(self) -> None:
        self._send, self._receive = anyio.create_memory_object_stream[dict[str, Any]](100)
        self.acknowledgement: dict[str, Any] = {}

    async def put(self, frame: dict[str, Any]) -> None:
        await self._send.send(frame)

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        """The next frame (waits at most ``timeout`` seconds)."""
        with anyio.fail_after(timeout):
            return await self._receive.receive()

    def pending(self) -> list[dict[str, Any]]:
        """Frames already received and not yet taken."""
        taken = []
        while True:
            try:
                taken.append(self._receive.receive_nowait())
            except anyio.WouldBlock:
                return taken


@contextmanager
def launched(*args: str, env: Mapping[str, str] | None = None, transport: str = "http") -> Iterator[tuple[Any, str]]:
    """``python -m reference_server --transport TRANSPORT`` on a free 127.0.0.1 port, up when ``/health`` answers;
    yields the process and its base URL; stopped, with its process group, afterwards."""
    port = free_port()
    argv = [PY, "-m", "reference_server", "--transport", transport, "--host", "127.0.0.1", "--port", str(port), *args]
    server = ServerProcess(argv, env={"MCP_LOG_LEVEL": "WARNING", **(env or {})}, read_stdout=False)
    try:
        health = f"http://127.0.0.1:{port}/health"
        why = wait_until(lambda: _answers(health), 20, abort=lambda: None if server.alive else server.describe_exit())
        assert why is None, f"the reference server did not come up on port {port}: {why}{server.format_stderr()}"
        yield server, f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # an HTTP server does not end with its stdin: ask uvicorn to stop
        server.stop()


@contextmanager
def http_server(*args: str, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """The streamable HTTP server (see ``launched``); yields its ``/mcp`` URL."""
    with launched(*args, env=env) as (_, base):
        yield f"{base}/mcp"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False
