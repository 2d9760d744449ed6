"""Streamable HTTP at 2026-07-28 (MHTTP-*): stateless POSTs, routing headers, per-request SSE streams."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import M

_M = "basic/transports/streamable-http"
_HTTP = ("http",)

TABLE = (
    Requirement(
        "MHTTP-01",
        "MUST",
        M,
        _M,
        "A POSTed request is answered as application/json or text/event-stream.",
        "If the body is a JSON-RPC _request_, the server MUST return either `Content-Type: application/json` (a single "
        "JSON object) or `Content-Type: text/event-stream` (an SSE response stream).",
        section="Sending Messages",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-02",
        "MUST",
        M,
        _M,
        "MCP-Protocol-Version differing from the _meta version gets 400 HeaderMismatch (-32020).",
        "If the values do not match, the server MUST reject the request with `400 Bad Request` and a `HeaderMismatch` "
        "JSON-RPC error (see Server Validation).",
        section="Protocol Version Header",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-03",
        "MUST",
        M,
        _M,
        "Mcp-Method / Mcp-Name headers that are missing or differ from the body get 400 (-32020).",
        "Servers that process the request body MUST reject requests where the values specified in the headers do not "
        "match the corresponding values in the request body.",
        section="Server Validation",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-04",
        "MUST",
        M,
        _M,
        "An unsupported protocol version gets 400 and UnsupportedProtocolVersionError (-32022).",
        "If the server does not implement the requested protocol version (whether the version is unknown to the "
        "server, "
        "or is a known version the server has chosen not to support), it MUST respond with `400 Bad Request` and an "
        "`UnsupportedProtocolVersionError` listing its supported versions.",
        section="Protocol Version Header",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-05",
        "MUST",
        M,
        _M,
        "An unknown (or removed) method gets 404 and Method not found (-32601).",
        "If the server does not implement the requested RPC method, it MUST respond with `404 Not Found` and a "
        "JSON-RPC "
        "error with code `-32601` (`Method not found`).",
        section="Protocol Version Header",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-06",
        "MUST",
        M,
        "basic",
        "A request missing a required _meta field gets HTTP 400 (with -32602).",
        "On HTTP, the response status MUST be `400 Bad Request`.",
        section="`_meta`",
        transports=_HTTP,
        note="The sentence follows 'A request missing any required field is malformed' (MOD-02).",
    ),
    Requirement(
        "MHTTP-07",
        "MUST",
        M,
        "basic",
        "A request needing an undeclared client capability gets 400 and -32021.",
        "If processing a request requires a capability the client did not include in "
        "`io.modelcontextprotocol/clientCapabilities`, the server MUST return a `MissingRequiredClientCapabilityError` "
        "(`-32021`) whose `data.requiredCapabilities` lists the missing capabilities.",
        section="`_meta`",
        transports=_HTTP,
        note="The next sentence adds: 'On HTTP, the response status MUST be 400'.",
    ),
    Requirement(
        "MHTTP-08",
        "MUST",
        M,
        _M,
        "A POSTed notification that is accepted gets 202 Accepted with no body.",
        "If the server accepts it, the server MUST return HTTP status code `202 Accepted` with no body.",
        section="Sending Messages",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-09",
        "SHOULD",
        M,
        _M,
        "GET and DELETE get 405; Mcp-Session-Id and Last-Event-ID are ignored, no session minted.",
        "A server that supports only this revision and receives such traffic from an older client SHOULD respond as "
        "follows: … HTTP GET or DELETE to the MCP endpoint: respond with `405 Method Not Allowed`.",
        section="Earlier Streamable HTTP Revisions",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-10",
        "MUST",
        M,
        _M,
        "Notifications on a request's SSE stream relate to that request.",
        "These notifications MUST relate to the originating client request.",
        section="Receiving Messages",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-16",
        "MUST",
        M,
        _M,
        "A request's SSE stream carries no JSON-RPC request.",
        "The server MUST NOT send independent JSON-RPC _requests_ on this stream.",
        section="Receiving Messages",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-17",
        "SHOULD",
        M,
        _M,
        "An SSE response carries X-Accel-Buffering: no.",
        "When initiating an SSE stream, servers SHOULD include the `X-Accel-Buffering: no` header in the HTTP "
        "response.",
        section="Receiving Messages",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-11",
        "MUST",
        M,
        _M,
        "A request with a foreign Origin gets HTTP 403.",
        "If the `Origin` header is present and invalid, servers MUST respond with HTTP 403 Forbidden.",
        section="Security & Endpoint",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-12",
        "MUST",
        M,
        _M,
        "Mcp-Param-* headers that are missing, extra or differ from the arguments get 400 (-32020).",
        "Servers MUST reject requests with a `400 Bad Request` HTTP status and JSON-RPC error code `-32020` "
        "(`HeaderMismatch`) if any validation fails.",
        section="Server Behavior for Custom Headers",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-18",
        "SHOULD",
        M,
        _M,
        "Integer Mcp-Param-* values are compared numerically (42 equals 42.0).",
        "When validating integer parameter values, servers SHOULD compare the header value and the body value "
        "numerically rather than as strings (e.g., `42.0` and `42` are considered equal).",
        section="Server Validation",
        transports=_HTTP,
    ),
    Requirement(
        "MHTTP-13",
        "INFO",
        M,
        _M,
        "A POSTed batch or JSON-RPC response: how the server refuses it.",
        "The body of the HTTP POST MUST be a single JSON-RPC _request_ or _notification_.",
        section="Sending Messages",
        transports=_HTTP,
        binds="client",
        note="The sentence binds the client. A body that is not JSON is a parse error (JSON-RPC, see HTTP-12).",
    ),
    Requirement(
        "MHTTP-14",
        "SHOULD",
        M,
        _M,
        "subscriptions/listen is answered with an SSE stream, even by a server that prefers JSON.",
        "The server's response is itself an SSE stream that stays open and delivers the change notifications the "
        "client "
        "opted in to (such as `notifications/tools/list_changed` or `notifications/resources/updated`).",
        section="Receiving Messages",
        transports=_HTTP,
        source="practice",
        note="Stated without a keyword; a single JSON body could not carry the notifications.",
    ),
    Requirement(
        "MHTTP-15",
        "MUST",
        M,
        _M,
        "Closing a request's SSE stream cancels it; the server keeps serving.",
        "Closing the SSE response stream MUST be treated by the server as cancellation of that request.",
        section="Cancellation",
        transports=_HTTP,
    ),
)
"""The MHTTP-* requirements (Streamable HTTP at 2026-07-28)."""
