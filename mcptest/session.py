"""A synchronous MCP session over the SDK's ``mcp.Client`` (on an anyio blocking portal's loop), every call bounded."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio
from anyio.from_thread import BlockingPortal, start_blocking_portal

from mcptest.target import Target

T = TypeVar("T")
SSE_IDLE_SECONDS = 300.0
"""How long an SDK session over legacy HTTP+SSE waits for the next event (keep-alive comments count)
before giving up."""


LISTINGS = ("tools", "resources", "resource_templates", "prompts")
MAX_PAGES = 1000
"""list_all stops here: a server whose cursors never end would otherwise page forever."""


class SessionError(RuntimeError):
    """The session could not be opened or a call did not finish; the message says which and why."""


def client_for(
    server: Any, *, env: Mapping[str, str] | None = None, timeout: float = 10.0, errlog: Any = None,
    mode: str = "legacy", message_handler: Any = None,
) -> Any:
    """An ``mcp.Client`` (no response cache) for a Target, URL, command or in-process server.

    ``mode`` is the SDK's: ``"legacy"`` (the initialize handshake, the default) or ``"2026-07-28"``
    (the stateless era, where the server supports it). ``message_handler`` gets every incoming message.
    """
    from mcp import Client

    transport = transport_for(server, env=env, timeout=timeout, errlog=errlog)
    return Client(transport, mode=mode, cache=None, read_timeout_seconds=timeout, message_handler=message_handler)


def transport_for(server: Any, *, env: Mapping[str, str] | None, timeout: float, errlog: Any) -> Any:
    """What ``mcp.Client`` takes for ``server``: the server object itself, or a transport context manager."""
    from mcptest.target import parse_target

    if isinstance(server, str):
        server = parse_target(server)
    if not isinstance(server, Target):
        return server  # an in-process MCPServer / low-level Server: the SDK connects in memory
    if server.kind == "stdio":
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(command=server.argv[0], args=list(server.argv[1:]),
                                       env={**os.environ, **dict(server.env), **(env or {})})
        return stdio_client(params, errlog=errlog) if errlog is not None else stdio_client(params)
    if server.kind == "http":
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        http = httpx2.AsyncClient(headers=dict(server.headers), timeout=httpx2.Timeout(timeout))
        return streamable_http_client(server.url, http_client=http)
    if server.kind == "sse":
        from mcp.client.sse import sse_client

        streams = sse_client(server.url, headers=dict(server.headers) or None, timeout=timeout,
                             sse_read_timeout=max(SSE_IDLE_SECONDS, timeout))
        return _opened_within(streams, timeout, f"GET {server.url} sent no `endpoint` event within {timeout:g} s")
    raise SessionError(f"an SDK session cannot reach target {server.raw!r} ({server.kind}); use a command or URL")


@contextlib.asynccontextmanager
async def _opened_within(transport: Any, timeout: float, why: str) -> AsyncIterator[Any]:
    """Enter ``transport`` within ``timeout`` seconds (else TimeoutError with ``why``), then keep it open unbounded.

    The cancel scope spans the whole use so that it nests around the transport's own task group.
    """
    with anyio.CancelScope(deadline=anyio.current_time() + timeout) as scope:
        async with transport as streams:
            scope.deadline = math.inf
            yield streams
            return
    raise TimeoutError(why)


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


class Session:
    """A connected MCP client you call synchronously: ``session.call_tool("add", {"a": 1, "b": 2})``.

    Every call is bounded by ``timeout`` seconds. ``stderr_tail()`` shows what a stdio server logged;
    ``notifications`` lists every notification the server sent, in arrival order (its ``method`` names it).
    The underlying ``mcp.Client`` is ``session.client`` for anything not wrapped here.
    """

    def __init__(self, server: Any, *, env: Mapping[str, str] | None = None, timeout: float = 10.0,
                 mode: str = "legacy") -> None:
        self.timeout = timeout
        self.notifications: list[Any] = []
        self._stack = contextlib.ExitStack()
        self._stderr = self._stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
        self.portal: BlockingPortal = self._stack.enter_context(start_blocking_portal())
        client = client_for(server, env=env, timeout=timeout, errlog=self._stderr, mode=mode,
                            message_handler=self._received)
        try:
            # the SDK bounds the handshake itself with read_timeout_seconds (a cancel scope cannot span the
            # client's own task groups, so no outer fail_after here)
            self.client = self._stack.enter_context(self.portal.wrap_async_context_manager(client))
            self._loop: asyncio.AbstractEventLoop = self.portal.call(_running_loop)
        except BaseException as exc:
            tail = self.stderr_tail()
            self._stack.close()
            leaf = _leaf(exc)
            raise SessionError(f"could not open an MCP session to {server!r}: "
                               f"{type(leaf).__name__}: {leaf}{tail}") from None

    async def _received(self, message: Any) -> None:
        if getattr(message, "method", None) is not None and not hasattr(message, "respond"):
            self.notifications.append(message)  # requests (with respond) and exceptions are the SDK's to handle

    def stderr_lines(self, lines: int = 15) -> list[str]:
        """The last lines the server wrote to stderr (stdio servers)."""
        if self._stderr.closed:
            return []
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().splitlines()[-lines:]

    def stderr_tail(self, lines: int = 15) -> str:
        """The last stderr lines formatted for a message (empty when there were none)."""
        tail = self.stderr_lines(lines)
        return "; server stderr:\n    " + "\n    ".join(tail) if tail else ""

    def call(self, func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``await func(*args, **kwargs)`` on the session's loop, bounded by the timeout."""

        async def bounded() -> T:
            with anyio.fail_after(self.timeout):
                return await func(*args, **kwargs)

        # straight onto the portal's asyncio loop: BlockingPortal.call also spawns each call as a task of its task
        # group (in-process, 1.68x -> 1.45x the raw client's time: benchmarks/session_vs_client.py)
        future = asyncio.run_coroutine_threadsafe(bounded(), self._loop)
        try:
            return future.result()
        except TimeoutError:
            name = getattr(func, "__name__", "call")
            raise SessionError(f"{name} did not finish within {self.timeout:g} s{self.stderr_tail()}") from None
        except BaseException:
            future.cancel()  # e.g. KeyboardInterrupt while waiting: the call must not go on alone
            raise

    def list_all(self, kind: str) -> list[Any]:
        """Every item of a listing, all pages: ``kind`` is tools, resources, resource_templates or prompts."""
        if kind not in LISTINGS:
            raise ValueError(f"list_all({kind!r}): kind must be one of {', '.join(LISTINGS)}")
        method, items, cursor = getattr(self, f"list_{kind}"), [], None
        for _ in range(MAX_PAGES):
            page = method(cursor=cursor)
            items += getattr(page, kind)
            cursor = page.next_cursor
            if not cursor:
                return items
        raise SessionError(f"list_{kind} was still paging after {MAX_PAGES} pages (a cursor loop?)")

    def __getattr__(self, name: str) -> Callable[..., Any]:
        attribute = getattr(self.client, name)
        if not callable(attribute):
            return attribute
        return functools.partial(self.call, attribute)

    def close(self) -> None:
        """Close the connection (a stdio server is stopped by the SDK: stdin closed, then signals)."""
        self._stack.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
