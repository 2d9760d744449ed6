"""Raw 2026-07-28 probes: requests with a chosen ``_meta`` envelope and, on HTTP, chosen routing headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mcptest.checks.base import CheckContext, show
from mcptest.findings import NotApplicable
from mcptest.spec.versions import HANDSHAKE, LATEST_HANDSHAKE, LATEST_MODERN
from mcptest.wire import HttpExchange, HttpWire, Reply, Wire
from mcptest.wire.base import CLIENT_INFO, WireError
from mcptest.wire.envelope import CAPABILITIES_KEY, CLIENT_INFO_KEY, VERSION_KEY, routing_headers
from mcptest.wire.http import ACCEPT_BOTH

UNSUPPORTED_VERSION = "2099-01-01"
HEADER_MISMATCH = -32020
MISSING_CAPABILITY = -32021
UNSUPPORTED = -32022
MODERN_CODES = (HEADER_MISMATCH, MISSING_CAPABILITY, UNSUPPORTED)


@dataclass(frozen=True)
class Answer:
    """What came back for one raw request: the JSON-RPC response with its id and, on HTTP, the status."""

    sent: dict[str, Any]
    response: dict[str, Any] | None
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    exchange: HttpExchange | None = None

    @property
    def ok(self) -> bool:
        """True for a response carrying a ``result``."""
        return self.response is not None and "result" in self.response and "error" not in self.response

    @property
    def result(self) -> Any:
        return self.response.get("result") if self.response else None

    @property
    def error(self) -> dict[str, Any] | None:
        error = self.response.get("error") if self.response else None
        if error is None and self.exchange is not None:  # an HTTP refusal may carry an error without our id
            error = next((m.get("error") for m in self.exchange.messages if isinstance(m, dict) and "error" in m), None)
        return error if isinstance(error, dict) else None

    @property
    def code(self) -> Any:
        return self.error.get("code") if self.error else None

    def summary(self) -> str:
        """One line for messages: the HTTP status (if any) and the response."""
        body = show(self.response) if self.response is not None else "no JSON-RPC response"
        if self.exchange is not None:
            if self.response is None:
                return self.exchange.summary()
            return f"HTTP {self.status} {self.exchange.content_type or '(no content type)'} {body}"
        return body


def envelope(
    *, version: Any = None, capabilities: Any = None, drop: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    """A ``_meta`` envelope: version, capabilities and client info, minus ``drop``, plus ``extra`` keys."""
    meta: dict[str, Any] = {
        VERSION_KEY: LATEST_MODERN if version is None else version,
        CAPABILITIES_KEY: {} if capabilities is None else capabilities,
        CLIENT_INFO_KEY: dict(CLIENT_INFO),
    }
    for key in drop:
        meta.pop(key, None)
    meta.update(extra)
    return meta


def build(wire: Wire, method: str, params: dict[str, Any] | None = None, meta: dict[str, Any] | None = None,
          *, id: Any = None) -> dict[str, Any]:
    """A request whose params carry exactly ``meta`` as ``_meta`` (none when ``meta`` is None)."""
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": wire.next_id() if id is None else id, "method": method}
    body = dict(params or {})
    if meta is not None:
        body["_meta"] = meta
    message["params"] = body
    return message


def http_headers(wire: HttpWire, message: dict[str, Any], version: str | None = None) -> dict[str, str]:
    """The headers a conforming client sends with ``message`` (``version`` in MCP-Protocol-Version)."""
    meta = message.get("params", {}).get("_meta") if isinstance(message.get("params"), dict) else None
    body_version = meta.get(VERSION_KEY) if isinstance(meta, dict) else None
    chosen = version or (body_version if isinstance(body_version, str) else None) or _wire_version(wire)
    headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
    headers.update(routing_headers(message, chosen, wire.tool_schemas))
    return {**headers, **wire.extra_headers}


def _wire_version(wire: Wire) -> str:
    return wire.envelope.version if wire.envelope is not None else LATEST_MODERN


def send(wire: Wire, message: dict[str, Any], *, headers: Mapping[str, str | None] | None = None,
         version: str | None = None) -> Answer:
    """Send ``message`` exactly as built and wait for its answer.

    On HTTP the usual headers for the body are sent, changed by ``headers`` (a None value removes one) and
    with ``version`` as MCP-Protocol-Version when given; on stdio ``headers`` must be None.
    """
    if isinstance(wire, HttpWire):
        sent = http_headers(wire, message, version)
        for name, value in (headers or {}).items():
            for existing in [k for k in sent if k.lower() == name.lower()]:
                del sent[existing]
            if value is not None:
                sent[name] = value
        exchange = wire.post(message, headers=sent, replace_headers=True, until_id=message.get("id"))
        rid = message.get("id")
        response = next((m for m in exchange.messages if isinstance(m, dict) and "method" not in m
                         and m.get("id") == rid and ("result" in m or "error" in m)), None)
        return Answer(message, response, exchange.status, sent, exchange)
    if headers:
        raise ValueError("routing headers exist only on Streamable HTTP")
    reply = wire.exchange(message)
    return Answer(message, reply.response)


def require_http(ctx: CheckContext) -> HttpWire:
    """The shared wire when it is Streamable HTTP (n/a otherwise)."""
    wire = ctx.wire()
    if not isinstance(wire, HttpWire):
        raise NotApplicable(f"only for Streamable HTTP servers; this one is {ctx.transport}")
    return wire


def initialize_reply(ctx: CheckContext) -> Reply | None:
    """The answer to ``initialize`` on a new connection (None when none came), asked once per version."""

    def probe() -> Reply | None:
        wire = ctx.handle.open()
        try:
            params = {"protocolVersion": LATEST_HANDSHAKE, "capabilities": {}, "clientInfo": CLIENT_INFO}
            return wire.request("initialize", params, envelope=False)
        except WireError:  # no answer, or the server ended: not a handshake-era server
            return None
        finally:
            ctx.handle.forget(wire)

    return ctx.memo(("initialize-reply",), probe)


def answers_initialize(ctx: CheckContext) -> bool:
    """True when the server also serves the handshake era: a connection of this run was initialized at a handshake
    version (no new connection needed), or it answers ``initialize`` on a new one."""
    observer = ctx.handle.observer
    if hasattr(observer, "at") and any(observer.at(version).messages for version in HANDSHAKE):
        return True
    reply = initialize_reply(ctx)
    return reply is not None and reply.ok and isinstance(reply.result, dict)


__all__ = ["Answer", "MODERN_CODES", "UNSUPPORTED_VERSION", "answers_initialize", "build", "envelope",
           "http_headers", "initialize_reply", "require_http", "send"]
