"""Streamable HTTP checks (HTTP-*), handshake era: statuses, content types, sessions, Origin, versions."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import callable_tool, safe_tools
from mcptest.checks.utilities import cancelled_call
from mcptest.findings import NotApplicable
from mcptest.wire import HttpWire
from mcptest.wire.base import CLIENT_INFO

VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+$")
EVIL_ORIGIN = "http://evil.example"


@contextlib.contextmanager
def _wire(ctx: CheckContext, *, handshake: bool = True) -> Iterator[HttpWire]:
    """An HTTP connection of the check's own (a new session when ``handshake``), closed afterwards."""
    ctx.require_transport("http")
    with ctx.fresh(ready=handshake) as wire:
        assert isinstance(wire, HttpWire)
        yield wire


def _init_body(ctx: CheckContext, rid: Any = 1) -> dict[str, Any]:
    params = {"protocolVersion": ctx.version, "capabilities": {}, "clientInfo": CLIENT_INFO}
    return {"jsonrpc": "2.0", "id": rid, "method": "initialize", "params": params}


def _ping(wire: HttpWire) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": wire.next_id(), "method": "ping"}


@check("HTTP-01", "http", "initialize answered as JSON or SSE")
def initialize_content_type(ctx: CheckContext) -> None:
    with _wire(ctx, handshake=False) as wire:
        body = _init_body(ctx)
        exchange = wire.post(body, until_id=1)
        if exchange.status != 200 or exchange.content_type not in ("application/json", "text/event-stream"):
            raise ctx.violation("HTTP-01", "200 with application/json or text/event-stream", exchange.summary(),
                                wire=wire, sent=body)
        if not any(isinstance(m, dict) and m.get("id") == 1 and "result" in m for m in exchange.messages):
            raise ctx.violation("HTTP-01", "the initialize response in the body", exchange.summary(), wire=wire,
                                sent=body)


@check("HTTP-02", "http", "session ids are visible ASCII")
def session_id_format(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        if not wire.session_id:
            raise NotApplicable("the server issues no Mcp-Session-Id (stateless)")
        if not VISIBLE_ASCII.match(wire.session_id):
            raise ctx.violation("HTTP-02", "an Mcp-Session-Id of visible ASCII (0x21-0x7E) only",
                                show(wire.session_id), wire=wire)


def guessable(first: str, second: str) -> str | None:
    """Why two session ids issued back to back look guessable (they differ only in a small counter), or None.

    The counter is the whole run of digits where the two ids first differ ("session-9" -> "session-19": 9 -> 19),
    and the text after it must be the same.
    """
    start = len(os.path.commonprefix([first, second]))
    while start > 0 and first[start - 1].isdigit():
        start -= 1
    left, right = re.match(r"\d*", first[start:]).group(), re.match(r"\d*", second[start:]).group()
    if left and right and first[start + len(left):] == second[start + len(right):] and \
            abs(int(right) - int(left)) <= 1000:
        return f"{first!r} and {second!r} differ only in a counter ({left} -> {right})"
    return None


@check("HTTP-17", "http", "a new, unguessable session id for each session")
def session_id_unique(ctx: CheckContext) -> None:
    with _wire(ctx) as first, _wire(ctx) as second:
        if not first.session_id or not second.session_id:
            raise NotApplicable("the server issues no Mcp-Session-Id (stateless)")
        if first.session_id == second.session_id:
            raise ctx.violation("HTTP-17", "a different session id for each session (globally unique)",
                                f"two sessions both got {show(first.session_id)}", wire=first)
        counter = guessable(first.session_id, second.session_id)
        if counter:
            raise ctx.violation("HTTP-17", "session ids that cannot be guessed from one another (cryptographically "
                                "secure)", f"two sessions opened one after the other: {counter}", wire=first)


@check("HTTP-03", "http", "missing session id gets 400")
def missing_session_id(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        if not wire.session_id:
            raise NotApplicable("the server issues no Mcp-Session-Id (stateless)")
        body = _ping(wire)
        headers = {k: v for k, v in wire.base_headers().items() if k != "Mcp-Session-Id"}
        exchange = wire.post(body, headers=headers, replace_headers=True)
        if exchange.status != 400:
            raise ctx.violation("HTTP-03", "HTTP 400 for a request without Mcp-Session-Id", exchange.summary(),
                                wire=wire, sent=body)


@check("HTTP-04", "http", "unknown session id gets 404")
def unknown_session_id(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        if not wire.session_id:
            raise NotApplicable("the server issues no Mcp-Session-Id (stateless)")
        body = _ping(wire)
        exchange = wire.post(body, headers={"Mcp-Session-Id": "mcptest-unknown-session-0000"})
        if exchange.status != 404:
            raise ctx.violation("HTTP-04", "HTTP 404 for an unknown session id", exchange.summary(), wire=wire,
                                sent=body)


@check("HTTP-05", "http", "notifications get 202 and no body")
def notification_accepted(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        never = {"requestId": "mcptest-never-sent"}
        cancelled = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": never}
        for body in ({"jsonrpc": "2.0", "method": "notifications/mcptest/probe"}, cancelled):
            exchange = wire.post(body)
            if 200 <= exchange.status < 300 and (exchange.status != 202 or exchange.text.strip()):
                raise ctx.violation("HTTP-05", "202 Accepted with no body (or a 4xx if not accepted)",
                                    exchange.summary(), wire=wire, sent=body)
            if exchange.status >= 500 or exchange.status < 200:
                raise ctx.violation("HTTP-05", "202 Accepted with no body (or a 4xx if not accepted)",
                                    exchange.summary(), wire=wire, sent=body)


@check("HTTP-07", "http", "GET opens an SSE stream or is 405")
def get_stream(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        exchange = wire.http("GET", headers={"Accept": "text/event-stream"})
        if exchange.status == 405:
            return
        if exchange.content_type != "text/event-stream":
            raise ctx.violation("HTTP-07", "Content-Type text/event-stream or HTTP 405", exchange.summary(), wire=wire,
                                sent="GET (Accept: text/event-stream)")


@check("HTTP-08", "http", "a deleted session answers 404")
def delete_session(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        if not wire.session_id:
            raise NotApplicable("the server issues no Mcp-Session-Id (stateless)")
        deleted = wire.http("DELETE")
        if deleted.status == 405:
            raise NotApplicable("the server does not let clients end sessions (DELETE answered 405)")
        if not 200 <= deleted.status < 300:
            raise ctx.violation("HTTP-08", "DELETE answered 2xx or 405", deleted.summary(), wire=wire, sent="DELETE")
        body = _ping(wire)
        exchange = wire.post(body)
        if exchange.status != 404:
            raise ctx.violation("HTTP-08", "HTTP 404 for the deleted session", exchange.summary(), wire=wire, sent=body)


@check("HTTP-09", "http", "foreign Origin is refused")
def foreign_origin(ctx: CheckContext) -> None:
    with _wire(ctx, handshake=False) as wire:
        body = _init_body(ctx)
        exchange = wire.post(body, headers={"Origin": EVIL_ORIGIN}, until_id=1)
        wanted = (403,) if ctx.version >= "2025-11-25" else tuple(range(400, 500))
        if exchange.status not in wanted:
            expected = "HTTP 403" if wanted == (403,) else "an HTTP 4xx"
            raise ctx.violation("HTTP-09", f"{expected} for Origin {EVIL_ORIGIN}", exchange.summary(), wire=wire,
                                sent=f"Origin: {EVIL_ORIGIN} + {show(body)}")


@check("HTTP-10", "http", "bad MCP-Protocol-Version gets 400")
def bad_protocol_header(ctx: CheckContext) -> None:
    ctx.require_version(("2025-06-18", "2025-11-25"))
    with _wire(ctx) as wire:
        body = _ping(wire)
        exchange = wire.post(body, headers={"MCP-Protocol-Version": "1999-01-01"})
        if exchange.status != 400:
            raise ctx.violation("HTTP-10", "HTTP 400 for MCP-Protocol-Version: 1999-01-01", exchange.summary(),
                                wire=wire, sent=body)


@check("HTTP-11", "http", "batch bodies are rejected")
def batch_body(ctx: CheckContext) -> None:
    ctx.require_version(("2025-06-18", "2025-11-25"))
    with _wire(ctx) as wire:
        body = [_ping(wire), _ping(wire)]
        exchange = wire.post(body)
        if not 400 <= exchange.status < 500:
            raise ctx.violation("HTTP-11", "an HTTP 4xx for a JSON array body", exchange.summary(), wire=wire,
                                sent=body)


@check("HTTP-12", "http", "malformed JSON gets 400")
def malformed_body(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        body = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"'
        exchange = wire.post(body)
        if exchange.status != 400:
            raise ctx.violation("HTTP-12", "HTTP 400 for a body that is not JSON", exchange.summary(), wire=wire,
                                sent=body.decode())
        errors = [m for m in exchange.messages if isinstance(m, dict) and isinstance(m.get("error"), dict)]
        if errors and (errors[0]["error"].get("code") != -32700 or errors[0].get("id") is not None):
            raise ctx.violation("HTTP-12", "a -32700 error with id null, if the body carries one", show(errors[0]),
                                wire=wire, sent=body.decode())


@check("HTTP-15", "http", "a POST whose Accept lacks text/event-stream")
def accept_without_event_stream(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        body = _accepted_probe(ctx, wire)
        headers = {**wire.base_headers(body), "Accept": "application/json"}
        exchange = wire.post(body, headers=headers, replace_headers=True, until_id=body["id"])
        if 400 <= exchange.status < 500:
            return  # refused: the client broke the rule, the server said so
        if exchange.status >= 500 or exchange.content_type == "text/event-stream":
            raise ctx.violation("HTTP-15", "a refusal (4xx) or an application/json answer, the only type the "
                                "client accepted", exchange.summary(), wire=wire, sent=f"Accept: application/json + "
                                f"{show(body)}")


def _accepted_probe(ctx: CheckContext, wire: HttpWire) -> dict[str, Any]:
    """A request a server may answer as a stream: a safe tool's example call if there is one, else ping."""
    for tool in safe_tools(ctx):
        try:
            arguments = callable_tool(ctx, tool)
        except NotApplicable:
            continue
        return {"jsonrpc": "2.0", "id": wire.next_id(), "method": "tools/call",
                "params": {"name": tool.get("name"), "arguments": arguments}}
    return _ping(wire)


@check("HTTP-16", "http", "a request cancelled over HTTP gets no result")
def cancelled_http_request(ctx: CheckContext) -> None:
    ctx.require_transport("http")
    cancelled_call(ctx, "HTTP-16")
