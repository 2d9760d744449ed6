"""Legacy HTTP+SSE transport checks (SSE-*): the endpoint event, POSTed messages, refusals, Origin validation."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mcptest.checks.base import CheckContext, check, show
from mcptest.wire.base import CLIENT_INFO, ServerGone, is_response
from mcptest.wire.sse import EVENT_STREAM, SseWire

EVIL_ORIGIN = "http://evil.example"
MALFORMED = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"'
_ID_LIKE = re.compile(r"^[A-Za-z0-9_-]{8,}$")


@contextlib.contextmanager
def _wire(ctx: CheckContext, *, handshake: bool = True) -> Iterator[SseWire]:
    """An SSE connection of the check's own (initialized when ``handshake``), closed afterwards."""
    ctx.require_transport("sse")
    with ctx.fresh(ready=handshake) as wire:
        assert isinstance(wire, SseWire)
        yield wire


def _initialize(ctx: CheckContext, wire: SseWire) -> dict[str, Any]:
    params = {"protocolVersion": ctx.version, "capabilities": {}, "clientInfo": CLIENT_INFO}
    return wire.message("initialize", params, envelope=False)


@check("SSE-01", "sse", "GET opens an event stream that names the POST endpoint")
def endpoint_event(ctx: CheckContext) -> None:
    with _wire(ctx, handshake=False) as wire:
        sent = f"GET {wire.url} (Accept: {EVENT_STREAM})"
        try:
            wire.wait_endpoint()
        except ServerGone as exc:
            raise ctx.violation("SSE-01", "an `endpoint` event carrying the URI to POST messages to", str(exc),
                                wire=wire, sent=sent) from None
        if wire.stream_status != 200 or wire.stream_content_type != EVENT_STREAM:
            got = f"HTTP {wire.stream_status} with Content-Type {wire.stream_headers.get('content-type')!r}"
            raise ctx.violation("SSE-01", f"HTTP 200 with Content-Type {EVENT_STREAM} (a Server-Sent Events stream)",
                                got, wire=wire, sent=sent)


@check("SSE-02", "sse", "POSTed messages are accepted and answered on the stream")
def message_on_stream(ctx: CheckContext) -> None:
    with _wire(ctx, handshake=False) as wire:
        body = _initialize(ctx, wire)
        exchange = wire.post(body)
        if not 200 <= exchange.status < 300:
            raise ctx.violation("SSE-02", "a 2xx answer to a message POSTed to the endpoint URI", exchange.summary(),
                                wire=wire, sent=body)
        if any(is_response(m) and m.get("id") == body["id"] for m in exchange.messages):
            raise ctx.violation("SSE-02", "the response on the SSE stream as an `event: message`",
                                f"it came in the POST answer body: {exchange.summary()}", wire=wire, sent=body)
        answer = wire.next_message(lambda m: is_response(m) and m.get("id") == body["id"])
        if answer is None:
            raise ctx.violation("SSE-02", "the response on the SSE stream as an `event: message`",
                                f"nothing with id {body['id']} within {wire.timeout:g} s (POST answer: "
                                f"{exchange.summary()}; events seen: {show([e.event for e in wire.events])})",
                                wire=wire, sent=body, transient="hang")


def _unknown_session(endpoint: str) -> str | None:
    """``endpoint`` with its session identifier replaced by one the server never issued, or None when it has none."""
    parts = urlsplit(endpoint)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if query:
        changed = [(key, _other(value)) for key, value in query]
        return urlunsplit(parts._replace(query=urlencode(changed)))
    head, _, last = parts.path.rstrip("/").rpartition("/")
    if _ID_LIKE.match(last):
        return urlunsplit(parts._replace(path=f"{head}/{_other(last)}"))
    return None


def _other(value: str) -> str:
    """A value of the same length and alphabet that differs from ``value`` in every character."""
    return "".join("1" if c == "0" else "0" for c in value) or "0"


@check("SSE-03", "sse", "unknown sessions and malformed bodies get a 4xx")
def refusals(ctx: CheckContext) -> None:
    with _wire(ctx) as wire:
        endpoint = wire.wait_endpoint()
        probes: list[tuple[str, str, Any]] = [("a malformed JSON body", endpoint, MALFORMED)]
        foreign = _unknown_session(endpoint)
        if foreign is not None:
            probes.insert(0, ("a session id the server never issued", foreign, wire.message("ping")))
        for what, url, body in probes:
            exchange = wire.post(body, url=url)
            if not 400 <= exchange.status < 500:
                sent = f"POST {url} {body.decode() if isinstance(body, bytes) else show(body)}"
                raise ctx.violation("SSE-03", f"an HTTP 4xx for {what}", exchange.summary(), wire=wire, sent=sent)


@check("SSE-04", "sse", "a foreign Origin is refused")
def foreign_origin(ctx: CheckContext) -> None:
    ctx.require_transport("sse")
    headers = {**dict(ctx.handle.target.headers), "Origin": EVIL_ORIGIN}
    stream = SseWire(ctx.handle.url, ctx.timeout, headers=headers)
    try:
        served = _served(stream)
    finally:
        stream.close()
    if served:
        raise ctx.violation("SSE-04", f"the SSE connection refused (HTTP 4xx) for Origin {EVIL_ORIGIN}",
                            f"HTTP {stream.stream_status} {stream.stream_content_type} with an `endpoint` event "
                            f"({stream.endpoint_data})", sent=f"GET {ctx.handle.url} (Origin: {EVIL_ORIGIN})")
    with _wire(ctx) as wire:
        body = wire.message("ping")
        exchange = wire.post(body, headers={"Origin": EVIL_ORIGIN})
        if 200 <= exchange.status < 300:
            raise ctx.violation("SSE-04", f"the POST refused (HTTP 4xx) for Origin {EVIL_ORIGIN}", exchange.summary(),
                                wire=wire, sent=f"Origin: {EVIL_ORIGIN} + {show(body)}")


def _served(stream: SseWire) -> bool:
    """True when a connection got its ``endpoint`` event (the server accepted it)."""
    try:
        stream.wait_endpoint()
    except ServerGone:
        return False
    return True

