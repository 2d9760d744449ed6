"""Change notifications in both protocol eras: list changes and resource updates reach handshake-era sessions
directly and 2026-07-28 ``subscriptions/listen`` streams through the SDK's subscription bus."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import mcp.types as types
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.subscriptions import (
    InMemorySubscriptionBus,
    PromptsListChanged,
    ResourcesListChanged,
    ResourceUpdated,
    ServerEvent,
    SubscriptionBus,
    ToolsListChanged,
)
from mcp.shared.exceptions import MCPError
from mcp.types.version import MODERN_PROTOCOL_VERSIONS

logger = logging.getLogger(__name__)
_GONE = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, OSError)


def connection_of(ctx: Any) -> Any:
    """The connection behind a request. mcp 2.3.0 exposes it only privately on the per-request session."""
    return getattr(ctx.session, "_connection", None)


class ChangeFeed:
    """Who hears about changes, and the one place that announces them.

    Handshake-era connections are remembered (weakly: a closed connection drops out by itself) from their
    first request; ``resources/subscribe`` records which of them want which URI. 2026-07-28 clients hear
    about changes only on a ``subscriptions/listen`` stream, which the SDK serves from ``bus``.
    """

    def __init__(self, is_known: Callable[[str], Awaitable[bool]], bus: SubscriptionBus | None = None,
                 on_tools_changed: Callable[[], None] | None = None) -> None:
        self.bus: SubscriptionBus = bus if bus is not None else InMemorySubscriptionBus()
        self._is_known = is_known
        self._on_tools_changed = on_tools_changed  # e.g. ToolCatalog.invalidate: before anyone hears of the change
        self._sessions: weakref.WeakSet[Any] = weakref.WeakSet()
        self._by_uri: dict[str, weakref.WeakSet[Any]] = {}

    # --- announcing ---------------------------------------------------------------------------------------

    async def tools_changed(self) -> None:
        """The tool list changed: ``notifications/tools/list_changed`` everywhere it was asked for."""
        if self._on_tools_changed is not None:
            self._on_tools_changed()
        await self._announce(ToolsListChanged(), lambda c: c.send_tool_list_changed())

    async def prompts_changed(self) -> None:
        """The prompt list changed."""
        await self._announce(PromptsListChanged(), lambda c: c.send_prompt_list_changed())

    async def resources_changed(self) -> None:
        """The resource list changed."""
        await self._announce(ResourcesListChanged(), lambda c: c.send_resource_list_changed())

    async def notify_updated(self, uri: str) -> None:
        """``uri``'s content changed: tell its ``resources/subscribe`` subscribers and matching listen streams."""
        await self.bus.publish(ResourceUpdated(uri=uri))
        for connection in list(self._by_uri.get(uri, ())):
            await self._send(connection, lambda c: c.send_resource_updated(uri))

    async def _announce(self, event: ServerEvent, send: Callable[[Any], Awaitable[None]]) -> None:
        await self.bus.publish(event)
        for connection in list(self._sessions):
            await self._send(connection, send)

    async def _send(self, connection: Any, send: Callable[[Any], Awaitable[None]]) -> None:
        """Deliver to one handshake-era connection; a connection that went away is forgotten, not an error."""
        try:
            await send(connection)
        except _GONE:
            self._forget(connection)
        except MCPError as exc:  # e.g. an HTTP session whose transport already closed
            logger.debug("dropped a change notification for a closed connection: %s", exc)
            self._forget(connection)

    def _forget(self, connection: Any) -> None:
        self._sessions.discard(connection)
        for subscribers in self._by_uri.values():
            subscribers.discard(connection)

    # --- resources/subscribe, resources/unsubscribe (handshake era) --------------------------------------

    async def subscribe(self, ctx: Any, params: types.SubscribeRequestParams) -> types.EmptyResult:
        """Handler for ``resources/subscribe``: an unknown URI is -32602."""
        if not await self._is_known(params.uri):
            raise MCPError(
                code=types.INVALID_PARAMS, message=f"Unknown resource: {params.uri}", data={"uri": params.uri}
            )
        connection = connection_of(ctx)
        if connection is not None:
            self._by_uri.setdefault(params.uri, weakref.WeakSet()).add(connection)
        return types.EmptyResult()

    async def unsubscribe(self, ctx: Any, params: types.UnsubscribeRequestParams) -> types.EmptyResult:
        """Handler for ``resources/unsubscribe`` (unsubscribing twice is harmless)."""
        connection = connection_of(ctx)
        if connection is not None and params.uri in self._by_uri:
            self._by_uri[params.uri].discard(connection)
        return types.EmptyResult()

    def subscribers(self, uri: str) -> int:
        """How many live handshake-era connections subscribed to ``uri``."""
        return len(self._by_uri.get(uri, ()))

    # --- who is listening --------------------------------------------------------------------------------

    def middleware(self) -> ServerMiddleware[Any]:
        """Remember handshake-era connections, and advertise ``listChanged`` in their ``initialize`` result.

        MCPServer advertises ``listChanged: false`` on the handshake era (it has no way to know a server sends
        list changes); this server does send them, so its ``initialize`` answer says so.
        """

        async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
            result = await call_next(ctx)
            if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
                connection = connection_of(ctx)
                if connection is not None:
                    self._sessions.add(connection)
                if ctx.method == "initialize":
                    return _with_list_changed(result)
            return result

        return middleware


def _with_list_changed(result: HandlerResult) -> HandlerResult:
    """An ``initialize`` result (already in wire form) whose tools, prompts and resources say ``listChanged``."""
    if not isinstance(result, dict) or not isinstance(result.get("capabilities"), dict):
        return result
    capabilities = dict(result["capabilities"])
    for kind in ("tools", "prompts", "resources"):
        if isinstance(capabilities.get(kind), dict):
            capabilities[kind] = {**capabilities[kind], "listChanged": True}
    return {**result, "capabilities": capabilities}
