"""Protocol behaviour stricter than the SDK defaults: JSON-RPC error codes, cursor pagination, logging levels,
change notifications and per-request metrics. Installed on an ``MCPServer`` by ``install_protocol``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import mcp.types as types
from mcp.server import MCPServer
from mcp.server.connection import allowed_log_levels
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp.shared.uri_template import UriTemplate
from mcp.types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from reference_server.monitoring import Metrics
from reference_server.presentation.changes import ChangeFeed, connection_of

Subscriptions = ChangeFeed  # the name the tool modules know the change feed by

RESOURCE_NOT_FOUND = -32002
LOG_LEVELS: tuple[types.LoggingLevel, ...] = (
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
)
DEFAULT_LOG_LEVEL: types.LoggingLevel = "info"
_LEVEL_KEY = "reference_server.log_level"
_T = TypeVar("_T")
ToolLister = Callable[[], Awaitable[Sequence[types.Tool]]]
ToolGetter = Callable[[str], Awaitable[types.Tool | None]]
Refusal = Callable[[str], MCPError | None]
_fallback_state: dict[str, Any] = {}


def connection_state(ctx: Any) -> dict[str, Any]:
    """Per-connection scratch space (the SDK's ``Connection.state``)."""
    connection = connection_of(ctx)
    return connection.state if connection is not None else _fallback_state


def is_modern(ctx: Any) -> bool:
    """Whether the request is served at the 2026-07-28 (per-request envelope) era."""
    return ctx.protocol_version in MODERN_PROTOCOL_VERSIONS


# --- cursor pagination --------------------------------------------------------------------------------------


def encode_cursor(kind: str, offset: int) -> str:
    """Opaque cursor for ``offset`` in listing ``kind``."""
    return base64.urlsafe_b64encode(f"{kind}:{offset}".encode()).decode().rstrip("=")


def paginate(items: Sequence[_T], cursor: str | None, kind: str, page_size: int) -> tuple[list[_T], str | None]:
    """Slice one page; an unknown, foreign or out-of-range cursor is a -32602 error."""
    start = 0
    if cursor is not None:
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            prefix, _, number = text.partition(":")
            if prefix != kind or not number.isdigit() or int(number) > len(items):
                raise ValueError(text)
            start = int(number)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise MCPError(
                code=types.INVALID_PARAMS, message=f"Invalid cursor for {kind}/list", data={"cursor": cursor}
            ) from None
    end = start + page_size
    return list(items[start:end]), encode_cursor(kind, end) if end < len(items) else None


def install_pagination(mcp: MCPServer, page_size: int, list_tools: ToolLister) -> None:
    """Replace MCPServer's single-page list handlers with cursor-paginated ones (tools as ``list_tools`` lists)."""
    server = mcp._lowlevel_server  # no public accessor in mcp 2.3.0
    listings: list[tuple[str, str, Callable[[], Awaitable[Sequence[Any]]], Callable[..., Any]]] = [
        ("tools/list", "tools", list_tools, lambda page, nxt: types.ListToolsResult(tools=page, next_cursor=nxt)),
        (
            "prompts/list",
            "prompts",
            mcp.list_prompts,
            lambda page, nxt: types.ListPromptsResult(prompts=page, next_cursor=nxt),
        ),
        (
            "resources/list",
            "resources",
            mcp.list_resources,
            lambda page, nxt: types.ListResourcesResult(resources=page, next_cursor=nxt),
        ),
        (
            "resources/templates/list",
            "templates",
            mcp.list_resource_templates,
            lambda page, nxt: types.ListResourceTemplatesResult(resource_templates=page, next_cursor=nxt),
        ),
    ]
    for method, kind, fetch, build in listings:
        server.add_request_handler(method, types.PaginatedRequestParams, _paged(kind, fetch, build, page_size))


def _paged(
    kind: str, fetch: Callable[[], Awaitable[Sequence[Any]]], build: Callable[..., Any], page_size: int
) -> Callable[[Any, types.PaginatedRequestParams], Awaitable[Any]]:
    async def handler(ctx: Any, params: types.PaginatedRequestParams) -> Any:
        page, next_cursor = paginate(await fetch(), params.cursor, kind, page_size)
        return build(page, next_cursor)

    return handler


# --- logging ------------------------------------------------------------------------------------------------


async def _set_level(ctx: Any, params: types.SetLevelRequestParams) -> types.EmptyResult:
    connection_state(ctx)[_LEVEL_KEY] = params.level
    return types.EmptyResult()


async def client_log(ctx: Any, level: types.LoggingLevel, message: str, *, data: dict[str, Any] | None = None) -> None:
    """Send ``notifications/message`` on the request's stream if the client wants this level.

    Handshake era: the level set with ``logging/setLevel`` (default ``info``). 2026-07-28: only when the
    request opted in with ``_meta["io.modelcontextprotocol/logLevel"]``, at that level and above.
    """
    request = ctx.request_context
    if level not in allowed_log_levels(request.protocol_version, request.meta):
        return
    if not is_modern(request):
        threshold = connection_state(request).get(_LEVEL_KEY, DEFAULT_LOG_LEVEL)
        if LOG_LEVELS.index(level) < LOG_LEVELS.index(threshold):
            return
    payload: Any = {"message": message, **data} if data else message
    notification = types.LoggingMessageNotification(
        params=types.LoggingMessageNotificationParams(level=level, data=payload, logger="reference_server")
    )
    await request.session.send_notification(notification, related_request_id=request.request_id)


def uri_matches(uri: str, static: set[str], templates: list[str]) -> bool:
    """Whether ``uri`` names a static resource or fits one of the templates."""
    return uri in static or any(UriTemplate.parse(t).match(uri) is not None for t in templates)


# --- middleware ---------------------------------------------------------------------------------------------


async def _names(listing: Awaitable[Sequence[Any]]) -> set[str]:
    return {item.name for item in await listing}


def strict_errors(mcp: MCPServer, tool: ToolGetter, refusal: Refusal) -> ServerMiddleware[Any]:
    """Middleware mapping SDK defaults to the error codes the spec asks for (unknown tool, prompt or resource).

    ``tool`` gives a registered tool by name (None: unknown); ``refusal`` explains why a registered tool may not be
    called right now (maintenance mode: it is not listed then either).
    """

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params: dict[str, Any] = dict(ctx.params or {})
        name = params.get("name")
        if ctx.method == "tools/call" and isinstance(name, str) and (refused := refusal(name)) is not None:
            raise refused
        if ctx.method == "tools/call" and isinstance(name, str) and await tool(name) is None:
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool: {name}", data={"name": name})
        if ctx.method == "prompts/get" and isinstance(name, str) and name not in await _names(mcp.list_prompts()):
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown prompt: {name}", data={"name": name})
        try:
            return await call_next(ctx)
        except MCPError as exc:
            if (
                ctx.method == "resources/read"
                and isinstance(exc.__context__, ResourceNotFoundError)
                and not is_modern(ctx)
            ):
                raise MCPError(code=RESOURCE_NOT_FOUND, message=exc.error.message, data=exc.error.data) from exc
            raise
        except ValidationError:
            raise  # the dispatcher maps it to -32602
        except ValueError as exc:  # MCPServer.get_prompt: unknown prompt / missing or bad arguments
            if ctx.method == "prompts/get":
                raise MCPError(code=types.INVALID_PARAMS, message=str(exc)) from exc
            raise MCPError(code=types.INTERNAL_ERROR, message="Internal error") from exc
        except Exception as exc:
            raise MCPError(code=types.INTERNAL_ERROR, message="Internal error") from exc

    return middleware


def metrics_middleware(metrics: Metrics, monotonic: Callable[[], float]) -> ServerMiddleware[Any]:
    """Middleware recording count, latency and failure (JSON-RPC error or ``isError`` result) per method."""

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.request_id is None:  # notifications are not requests
            return await call_next(ctx)
        started = monotonic()
        method = ctx.method if isinstance(ctx.method, str) else "unknown"
        try:
            result = await call_next(ctx)
        except BaseException:
            metrics.record(method, monotonic() - started, error=True)
            raise
        failed = isinstance(result, dict) and result.get("isError") is True
        metrics.record(method, monotonic() - started, error=failed)
        return result

    return middleware


def install_protocol(
    mcp: MCPServer,
    *,
    page_size: int,
    metrics: Metrics,
    monotonic: Callable[[], float],
    changes: ChangeFeed,
    list_tools: ToolLister,
    tool: ToolGetter,
    refusal: Refusal,
) -> None:
    """Install pagination, logging/setLevel, resources/(un)subscribe and the middlewares (``list_tools`` is what
    ``tools/list`` lists, ``tool`` gives a registered tool by name)."""
    server = mcp._lowlevel_server  # no public accessor in mcp 2.3.0
    install_pagination(mcp, page_size, list_tools)
    server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, _set_level)
    server.add_request_handler("resources/subscribe", types.SubscribeRequestParams, changes.subscribe)
    server.add_request_handler("resources/unsubscribe", types.UnsubscribeRequestParams, changes.unsubscribe)
    mcp.middleware.append(metrics_middleware(metrics, monotonic))
    mcp.middleware.append(changes.middleware())
    mcp.middleware.append(strict_errors(mcp, tool, refusal))
