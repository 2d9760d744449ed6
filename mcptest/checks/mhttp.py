"""Streamable HTTP at 2026-07-28 (MHTTP-*): statuses, routing-header validation, notifications, Origin, methods."""

from __future__ import annotations

from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import callable_tool, safe_tools
from mcptest.checks.modern_probe import (
    HEADER_MISMATCH,
    UNSUPPORTED,
    UNSUPPORTED_VERSION,
    Answer,
    answers_initialize,
    build,
    envelope,
    require_http,
    send,
)
from mcptest.findings import NotApplicable
from mcptest.wire import HttpWire
from mcptest.wire.envelope import CAPABILITIES_KEY, VERSION_KEY, header_params

AREA = "mhttp"
EVIL_ORIGIN = "http://evil.example"
JSON_OR_SSE = ("application/json", "text/event-stream")


def _refused(ctx: CheckContext, req_id: str, answer: Answer, codes: tuple[int, ...], what: str, wire: HttpWire,
             status: int = 400) -> None:
    """Raise unless ``answer`` is HTTP ``status`` with a JSON-RPC error whose code is one of ``codes``."""
    if answer.status != status or answer.code not in codes:
        wanted = " or ".join(str(c) for c in codes)
        raise ctx.violation(req_id, f"HTTP {status} with JSON-RPC error {wanted} for {what}", answer.summary(),
                            wire=wire, sent=f"{show(answer.headers)} {show(answer.sent)}")


@check("MHTTP-01", AREA, "a request is answered as JSON or an SSE stream")
def answered_as_json_or_sse(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    answer = send(wire, wire.message("server/discover", {}))
    if answer.status != 200 or answer.exchange is None or answer.exchange.content_type not in JSON_OR_SSE:
        raise ctx.violation("MHTTP-01", "200 with Content-Type application/json or text/event-stream",
                            answer.summary(), wire=wire, sent=answer.sent)
    if not answer.ok:
        raise ctx.violation("MHTTP-01", "the response to the request in the body", answer.summary(), wire=wire,
                            sent=answer.sent)


@check("MHTTP-02", AREA, "MCP-Protocol-Version must match _meta")
def version_header_matches(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    answer = send(wire, wire.message("server/discover", {}), version=UNSUPPORTED_VERSION)
    _refused(ctx, "MHTTP-02", answer, (HEADER_MISMATCH, UNSUPPORTED),
             f"MCP-Protocol-Version {UNSUPPORTED_VERSION} with {VERSION_KEY} {ctx.version}", wire)
    if answers_initialize(ctx):
        return  # a server for pre-2025-06-18 clients MAY read a request without the header as 2025-03-26
    missing = send(wire, wire.message("server/discover", {}), headers={"MCP-Protocol-Version": None})
    _refused(ctx, "MHTTP-02", missing, (HEADER_MISMATCH,), "a request without MCP-Protocol-Version", wire)


def named_probe(ctx: CheckContext, wire: HttpWire) -> dict[str, Any] | None:
    """A harmless request that carries Mcp-Name: reading a listed resource, else a safe tool call (None if neither)."""
    resources = ctx.surface.items("resources")
    if resources and isinstance(resources[0].get("uri"), str):
        return wire.message("resources/read", {"uri": resources[0]["uri"]})
    for tool in safe_tools(ctx):
        try:
            return wire.message("tools/call", {"name": tool.get("name"), "arguments": callable_tool(ctx, tool)})
        except NotApplicable:
            continue
    return None


def _sentinel(text: str) -> str:
    import base64

    return "=?base64?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


@check("MHTTP-03", AREA, "Mcp-Method and Mcp-Name must match the body")
def routing_headers_match(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    for headers, what in (({"Mcp-Method": None}, "a request without Mcp-Method"),
                          ({"Mcp-Method": "tools/list"}, "Mcp-Method tools/list on a server/discover body")):
        answer = send(wire, wire.message("server/discover", {}), headers=headers)
        _refused(ctx, "MHTTP-03", answer, (HEADER_MISMATCH,), what, wire)
    probe = named_probe(ctx, wire)
    if probe is None:
        return
    field = "uri" if probe["method"] == "resources/read" else "name"
    value = str(probe["params"][field])
    for headers, what in (({"Mcp-Name": None}, f"{probe['method']} without Mcp-Name"),
                          ({"Mcp-Name": "mcptest-other"}, f"Mcp-Name mcptest-other for {field} {value!r}"),
                          ({"Mcp-Name": "=?base64?%%%?="}, "an Mcp-Name Base64 sentinel that does not decode")):
        answer = send(wire, wire.message(probe["method"], probe["params"]), headers=headers)
        _refused(ctx, "MHTTP-03", answer, (HEADER_MISMATCH,), what, wire)
    encoded = send(wire, wire.message(probe["method"], probe["params"]), headers={"Mcp-Name": _sentinel(value)})
    if encoded.code == HEADER_MISMATCH:
        raise ctx.violation("MHTTP-03", f"Mcp-Name {_sentinel(value)} decoded and accepted (it is {value!r})",
                            encoded.summary(), wire=wire, sent=encoded.sent)


@check("MHTTP-04", AREA, "an unsupported version gets 400 and -32022")
def unsupported_version_status(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    answer = send(wire, build(wire, "server/discover", {}, envelope(version=UNSUPPORTED_VERSION)))
    _refused(ctx, "MHTTP-04", answer, (UNSUPPORTED,), f"protocol version {UNSUPPORTED_VERSION}", wire)


@check("MHTTP-05", AREA, "an unknown method gets 404 and -32601")
def unknown_method_status(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    for method in ("mcptest/no-such-method", "ping"):
        answer = send(wire, wire.message(method, {}))
        _refused(ctx, "MHTTP-05", answer, (-32601,), f"{method} (not a {ctx.version} method)", wire, status=404)


@check("MHTTP-06", AREA, "a request missing a required _meta field gets 400")
def missing_meta_status(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    answer = send(wire, build(wire, "server/discover", {}, envelope(drop=(CAPABILITIES_KEY,))))
    _refused(ctx, "MHTTP-06", answer, (-32602,), f"_meta without {CAPABILITIES_KEY}", wire)


@check("MHTTP-07", AREA, "a missing client capability gets 400 and -32021")
def missing_capability_status(ctx: CheckContext) -> None:
    from mcptest.checks.modern_mrtr import capable_calls

    wire = require_http(ctx)
    needy = [a for a in capable_calls(ctx) if a.methods]
    if not needy:
        raise NotApplicable("no tool asked a capable client for input, so none needs a client capability")
    for asked in needy:
        answer = send(wire, wire.message("tools/call", {"name": asked.tool.get("name"), "arguments": asked.arguments}))
        if answer.code == -32021 and answer.status != 400:
            raise ctx.violation("MHTTP-07", "HTTP 400 with the MissingRequiredClientCapabilityError",
                                answer.summary(), wire=wire, sent=answer.sent)


@check("MHTTP-08", AREA, "a notification gets 202 and no body")
def notification_accepted(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    body = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "mcptest-never-sent"}}
    exchange = wire.post(body)
    if 200 <= exchange.status < 300 and (exchange.status != 202 or exchange.text.strip()):
        raise ctx.violation("MHTTP-08", "202 Accepted with no body (or an HTTP error status)", exchange.summary(),
                            wire=wire, sent=body)
    if not 200 <= exchange.status < 500:
        raise ctx.violation("MHTTP-08", "202 Accepted with no body (or a 4xx)", exchange.summary(), wire=wire,
                            sent=body)


@check("MHTTP-09", AREA, "older clients' GET, DELETE and session ids are refused or ignored")
def earlier_revisions(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    if answers_initialize(ctx):
        raise NotApplicable("the server also serves the handshake era (it answers initialize), where GET, DELETE and "
                            "sessions exist; the rule is for servers of this revision only")
    for method in ("GET", "DELETE"):
        exchange = wire.http(method, headers={"Mcp-Session-Id": "mcptest-old-session", "Accept": "text/event-stream"})
        if exchange.status != 405:
            raise ctx.violation("MHTTP-09", f"405 Method Not Allowed for HTTP {method}", exchange.summary(), wire=wire,
                                sent=f"{method} with Mcp-Session-Id")
    answer = send(wire, wire.message("server/discover", {}), headers={"Mcp-Session-Id": "mcptest-old-session",
                                                                      "Last-Event-ID": "mcptest-1"})
    minted = {k: v for k, v in answer.headers.items()} if answer.exchange is None else answer.exchange.headers
    if not answer.ok or "mcp-session-id" in {k.lower() for k in minted}:
        raise ctx.violation("MHTTP-09", "the request served with Mcp-Session-Id and Last-Event-ID ignored, and no "
                            "session id minted or echoed", f"{answer.summary()}; headers {show(dict(minted))}",
                            wire=wire, sent=answer.sent)


@check("MHTTP-11", AREA, "a foreign Origin gets 403")
def foreign_origin(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    answer = send(wire, wire.message("server/discover", {}), headers={"Origin": EVIL_ORIGIN})
    if answer.status != 403:
        raise ctx.violation("MHTTP-11", f"HTTP 403 for Origin {EVIL_ORIGIN}", answer.summary(), wire=wire,
                            sent=answer.sent)


def header_tools(ctx: CheckContext, *, integer: bool = False) -> list[tuple[dict[str, Any], dict[str, Any], str, Any]]:
    """(tool, arguments, header name, value) for safe tools whose example arguments fill an x-mcp-header property."""
    found = []
    for tool in safe_tools(ctx):
        schema = tool.get("inputSchema")
        for path, name in header_params(schema):
            try:
                arguments = callable_tool(ctx, tool)
            except NotApplicable:
                break
            value: Any = arguments
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            is_int = isinstance(value, int) and not isinstance(value, bool)
            if value is not None and (is_int or not integer):
                found.append((tool, arguments, name, value))
    return found


@check("MHTTP-12", AREA, "Mcp-Param headers must match the arguments")
def param_headers_match(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    found = header_tools(ctx)
    if not found:
        raise NotApplicable("no callable tool has an x-mcp-header parameter its example arguments fill")
    tool, arguments, name, value = found[0]
    header = f"Mcp-Param-{name}"
    wrong = "mcptest-other" if str(value) != "mcptest-other" else "mcptest-else"
    for headers, what in (({header: None}, f"a tools/call without {header}"),
                          ({header: wrong}, f"{header}: {wrong} for the argument {show(value)}")):
        answer = send(wire, wire.message("tools/call", {"name": tool.get("name"), "arguments": arguments}),
                      headers=headers)
        _refused(ctx, "MHTTP-12", answer, (HEADER_MISMATCH,), what, wire)


@check("MHTTP-18", AREA, "integer Mcp-Param values compare numerically")
def param_integers_numeric(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    found = header_tools(ctx, integer=True)
    if not found:
        raise NotApplicable("no callable tool has an integer x-mcp-header parameter its example arguments fill")
    tool, arguments, name, value = found[0]
    answer = send(wire, wire.message("tools/call", {"name": tool.get("name"), "arguments": arguments}),
                  headers={f"Mcp-Param-{name}": f"{value}.0"})
    if answer.code == HEADER_MISMATCH:
        raise ctx.violation("MHTTP-18", f"Mcp-Param-{name}: {value}.0 accepted for the integer {value}",
                            answer.summary(), wire=wire, sent=answer.sent)


@check("MHTTP-13", AREA, "a batch or a posted response is refused")
def batch_refused(ctx: CheckContext) -> None:
    wire = require_http(ctx)
    batch = [wire.message("server/discover", {}), wire.message("server/discover", {})]
    exchange = wire.post(batch)
    served = [m for m in exchange.messages if isinstance(m, dict) and "result" in m]
    if served or exchange.status < 400:
        raise ctx.violation("MHTTP-13", "an HTTP 4xx for a JSON array body (a batch)", exchange.summary(), wire=wire,
                            sent=batch)


@check("MHTTP-17", AREA, "SSE responses carry X-Accel-Buffering: no", phase="observe")
def no_proxy_buffering(ctx: CheckContext) -> None:
    ctx.require_transport("http")
    streams = [e for w in ctx.handle.observer.wires("http") if isinstance(w, HttpWire) and w.modern
               and w.protocol_version == ctx.version for e in w.exchanges if e.content_type == "text/event-stream"]
    if not streams:
        raise NotApplicable("the server answered no request with an SSE stream at this version")
    bad = [e for e in streams if e.headers.get("x-accel-buffering", "").strip().lower() != "no"]
    if bad:
        raise ctx.violation("MHTTP-17", "X-Accel-Buffering: no on every SSE response",
                            f"{len(bad)} of {len(streams)} SSE responses without it, e.g. headers "
                            f"{show(dict(bad[0].headers))}")


LISTEN_ONLY = ("notifications/tools/list_changed", "notifications/prompts/list_changed",
               "notifications/resources/list_changed", "notifications/resources/updated",
               "notifications/subscriptions/acknowledged")


def unrelated(reply: Any) -> dict[str, Any] | None:
    """The first notification on a request's response stream that does not relate to that request (or None)."""
    meta = (reply.request.get("params") or {}).get("_meta") or {}
    for note in reply.notifications:
        params = note.get("params") if isinstance(note.get("params"), dict) else {}
        if note.get("method") in LISTEN_ONLY:
            return note
        if note.get("method") == "notifications/progress" and params.get("progressToken") != meta.get("progressToken"):
            return note
    return None


@check("MHTTP-10", AREA, "notifications on a response stream relate to its request")
def related_notifications(ctx: CheckContext) -> None:
    from mcptest.checks.modern_mrtr import plain_calls

    require_http(ctx)
    replies = [call.reply for call in plain_calls(ctx)]
    if not any(reply.notifications for reply in replies):
        raise NotApplicable("no example tool call's response stream carried a notification")
    for reply in replies:
        stray = unrelated(reply)
        if stray is not None:
            raise ctx.violation("MHTTP-10", "only notifications about this request (its own progress token, no "
                                "subscription notifications)", show(stray), wire=ctx.wire(), sent=reply.request)


__all__ = ["header_tools", "named_probe"]
