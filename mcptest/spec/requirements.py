"""Every requirement the suite checks: id -> level, versions, spec section and the spec's sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mcptest.spec.versions import HANDSHAKE, LATEST_HANDSHAKE, since, spec_url

Level = Literal["MUST", "SHOULD", "MAY"]
ALL_H = HANDSHAKE
H_0326 = since("2025-03-26")
H_0618 = since("2025-06-18")


@dataclass(frozen=True)
class Requirement:
    """One normative statement of the spec that a check verifies.

    Attributes:
        id: stable id (``TOOL-05``), used in test ids, reports and baselines.
        level: MUST (violations fail) or SHOULD (violations warn; fail with --mcp-strict).
        versions: the protocol versions the statement belongs to.
        page: the spec page, relative to the version root (``server/tools``).
        text: the requirement in one sentence, in the spec's words where possible.
        transports: the transports it applies to (empty = all).
    """

    id: str
    level: Level
    versions: tuple[str, ...]
    page: str
    text: str
    transports: tuple[str, ...] = ()

    def url(self, version: str | None = None) -> str:
        """The spec section URL at ``version`` (or the newest version the requirement belongs to)."""
        chosen = version if version in self.versions else self.versions[-1] if self.versions else LATEST_HANDSHAKE
        return spec_url(chosen, self.page)


def _r(id: str, level: Level, versions: tuple[str, ...], page: str, text: str, transports: tuple[str, ...] = ()) -> Requirement:
    return Requirement(id, level, versions, page, text, transports)


_BASIC = "basic"
_LIFE = "basic/lifecycle"
_TOOLS = "server/tools"
_RES = "server/resources"
_PROMPTS = "server/prompts"
_TRANSPORTS = "basic/transports"

REQUIREMENTS: dict[str, Requirement] = {
    r.id: r
    for r in (
        _r("BASE-01", "MUST", ALL_H, _BASIC, "All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification: each is a request, a notification or a response object with \"jsonrpc\": \"2.0\"."),
        _r("BASE-02", "MUST", ALL_H, _BASIC, "Responses MUST include the same ID as the request they correspond to (same value and JSON type)."),
        _r("BASE-03", "MUST", ALL_H, _BASIC, "Either a result or an error MUST be set in a response, not both; an error has an integer code and a string message."),
        _r("BASE-04", "MUST", ALL_H, _BASIC, "Notifications MUST NOT be answered: the receiver MUST NOT send a response."),
        _r("BASE-05", "SHOULD", ALL_H, _BASIC, "JSON-RPC 2.0: invalid JSON is answered with a Parse error (-32700) whose id is null, and the server keeps serving."),
        _r("BASE-06", "SHOULD", ALL_H, _BASIC, "JSON-RPC 2.0: a message that is not a valid request object is answered with Invalid Request (-32600) whose id is null."),
        _r("BASE-07", "MUST", ALL_H, _BASIC, "JSON-RPC 2.0: a request for a method that does not exist is answered with Method not found (-32601)."),
        _r("BASE-08", "SHOULD", ALL_H, _BASIC, "JSON-RPC 2.0: a request whose params violate the method's schema is answered with Invalid params (-32602), never a result."),
        _r("BASE-09", "SHOULD", ALL_H, _BASIC, "Unknown members in a request are ignored: a request with an extra member is served normally."),
        _r("BASE-10", "MUST", ("2025-03-26",), _BASIC, "At 2025-03-26 implementations MUST support receiving JSON-RPC batches: a batch of requests is answered with an array of their responses."),
        _r("BASE-11", "SHOULD", tuple(v for v in HANDSHAKE if v != "2025-03-26"), _BASIC, "Outside 2025-03-26 a JSON-RPC batch is not processed as a batch: it is rejected (-32600 or HTTP 4xx) with no partial execution."),
        _r("BASE-12", "SHOULD", ALL_H, "server/utilities/completion", "A method of a capability the server did not declare is answered with Method not found (-32601)."),
        _r("LIFE-01", "MUST", ALL_H, _LIFE, "The initialize result carries protocolVersion (string), capabilities (object) and serverInfo with a string name and version."),
        _r("LIFE-02", "MUST", ALL_H, _LIFE, "If the server supports the requested protocol version, it MUST respond with the same version; it answers only with versions it supports."),
        _r("LIFE-03", "MUST", ALL_H, _LIFE, "If the server does not support the requested version, it MUST respond with another protocol version it supports (or an error), never echo the unsupported one."),
        _r("LIFE-04", "SHOULD", ALL_H, _LIFE, "The client SHOULD NOT send requests other than pings before the server has responded to initialize; a server rejects such requests with an error and still accepts initialize afterwards."),
        _r("LIFE-05", "MUST", ALL_H, _LIFE, "Ping is allowed before initialization completes: ping before initialize is answered with an empty result.", ("stdio",)),
        _r("LIFE-08", "MUST", ALL_H, _LIFE, "Both parties MUST only use capabilities that were successfully negotiated: every declared capability's list method works and sub-flags are booleans."),
        _r("LIFE-09", "SHOULD", ALL_H, _TRANSPORTS, "On stdio the client shuts down by closing the server's input; the server SHOULD then exit promptly.", ("stdio",)),
        _r("PING-01", "MUST", ALL_H, "basic/utilities/ping", "The receiver MUST respond promptly to a ping with an empty response."),
        _r("CANC-01", "SHOULD", ALL_H, "basic/utilities/cancellation", "Receivers of a cancellation notification SHOULD stop processing the request and SHOULD NOT send a response for it."),
        _r("PROG-01", "MUST", ALL_H, "basic/utilities/progress", "Progress notifications MUST reference the token given in the request, and progress MUST increase with each notification."),
        _r("PROG-02", "MUST", ALL_H, "basic/utilities/progress", "Progress notifications MUST only reference tokens that were provided in an active request."),
        _r("PAGE-01", "MUST", ALL_H, "server/utilities/pagination", "A paginated list is walked through opaque nextCursor strings until it ends; pages are valid and items are not repeated."),
        _r("PAGE-02", "SHOULD", ALL_H, "server/utilities/pagination", "Invalid cursors SHOULD result in an error with code -32602 (Invalid params)."),
        _r("LOG-01", "MUST", ALL_H, "server/utilities/logging", "A server that declares logging accepts logging/setLevel for each of the eight syslog levels with an empty result."),
        _r("LOG-04", "SHOULD", ALL_H, "server/utilities/logging", "Servers SHOULD return standard JSON-RPC errors: an invalid log level is answered with -32602 (Invalid params)."),
        _r("LOG-02", "MUST", ALL_H, "server/utilities/logging", "Log notifications carry one of the eight severity levels, a data member and an optional string logger."),
        _r("LOG-03", "SHOULD", ALL_H, "server/utilities/logging", "After logging/setLevel the server sends only log messages at that level or higher."),
        _r("COMP-01", "MUST", ALL_H, "server/utilities/completion", "completion/complete returns completion.values, an array of at most 100 strings, with optional integer total and boolean hasMore."),
        _r("TOOL-01", "MUST", ALL_H, _TOOLS, "Each tool in tools/list has a string name and an inputSchema that is a JSON Schema object with \"type\": \"object\"; optional fields are well-typed."),
        _r("TOOL-02", "SHOULD", since("2025-11-25"), _TOOLS, "Tool names SHOULD be 1-128 characters of A-Z, a-z, 0-9, _, - and . and SHOULD be unique within a server."),
        _r("TOOL-03", "MUST", ALL_H, _TOOLS, "inputSchema and outputSchema MUST be valid JSON Schema objects for their dialect (2020-12 when no $schema is given)."),
        _r("TOOL-04", "MUST", H_0618, _TOOLS, "An outputSchema is a JSON Schema whose root type is \"object\"."),
        _r("TOOL-05", "MUST", ALL_H, _TOOLS, "tools/call returns a result whose content is an array of valid content blocks and whose isError, if present, is a boolean."),
        _r("TOOL-06", "MUST", H_0618, _TOOLS, "If an output schema is provided, servers MUST provide structured results that conform to this schema."),
        _r("TOOL-07", "SHOULD", H_0618, _TOOLS, "For backwards compatibility, a tool that returns structured content SHOULD also return the serialized JSON in a TextContent block."),
        _r("TOOL-08", "SHOULD", ALL_H, _TOOLS, "Calling an unknown tool is a protocol error: the server answers with a JSON-RPC error (-32602), not a tool result."),
        _r("TOOL-09", "SHOULD", ALL_H, _TOOLS, "A malformed tools/call (no name, arguments not an object) is answered with Invalid params (-32602)."),
        _r("TOOL-10", "MUST", ALL_H, _TOOLS, "Servers MUST validate all tool inputs: arguments that violate inputSchema are rejected (isError result or -32602), never a success."),
        _r("RES-01", "MUST", ALL_H, _RES, "Each resource in resources/list has a string uri and a string name; optional fields (mimeType, size, annotations, ...) are well-typed."),
        _r("RES-02", "MUST", ALL_H, _RES, "resources/read returns a non-empty contents array whose items have a uri and either text or base64 blob."),
        _r("RES-03", "SHOULD", ALL_H, _RES, "Reading an unknown resource SHOULD return error -32002 (Resource not found); -32602 is accepted (the 2026 code)."),
        _r("RES-04", "MUST", ALL_H, _RES, "Each resource template has a name and a valid RFC 6570 uriTemplate."),
        _r("RES-05", "MUST", ALL_H, _RES, "A server declaring resources.subscribe accepts resources/subscribe and resources/unsubscribe for a listed resource with an empty result."),
        _r("PROMPT-01", "MUST", ALL_H, _PROMPTS, "Each prompt in prompts/list has a string name; arguments, if present, are objects with a string name and an optional boolean required."),
        _r("PROMPT-02", "MUST", ALL_H, _PROMPTS, "prompts/get with the required arguments returns messages whose role is user or assistant and whose content is a valid content block."),
        _r("PROMPT-03", "SHOULD", ALL_H, _PROMPTS, "An invalid prompt name SHOULD be answered with Invalid params (-32602)."),
        _r("PROMPT-04", "SHOULD", ALL_H, _PROMPTS, "Missing required arguments SHOULD be answered with Invalid params (-32602)."),
        _r("STDIO-01", "MUST", ALL_H, _TRANSPORTS, "The server MUST NOT write anything to its stdout that is not a valid MCP message.", ("stdio",)),
        _r("STDIO-02", "MUST", ALL_H, _TRANSPORTS, "Messages are delimited by newlines and MUST NOT contain embedded newlines.", ("stdio",)),
        _r("STDIO-03", "MUST", H_0326, _TRANSPORTS, "JSON-RPC messages MUST be UTF-8 encoded: non-ASCII text round-trips unchanged.", ("stdio",)),
        _r("HTTP-01", "MUST", H_0326, _TRANSPORTS, "A POSTed request is answered with Content-Type application/json (one JSON object) or text/event-stream.", ("http",)),
        _r("HTTP-02", "MUST", H_0326, _TRANSPORTS, "The session ID MUST only contain visible ASCII characters (0x21 to 0x7E) and SHOULD be globally unique and cryptographically secure.", ("http",)),
        _r("HTTP-03", "SHOULD", H_0326, _TRANSPORTS, "Servers that require a session ID SHOULD respond to requests without an Mcp-Session-Id header (other than initialization) with HTTP 400 Bad Request.", ("http",)),
        _r("HTTP-04", "MUST", H_0326, _TRANSPORTS, "The server MUST respond to requests containing a terminated or unknown session ID with HTTP 404 Not Found.", ("http",)),
        _r("HTTP-05", "MUST", H_0326, _TRANSPORTS, "If the input is a JSON-RPC notification or response that the server accepts, it MUST return HTTP 202 Accepted with no body.", ("http",)),
        _r("HTTP-07", "MUST", H_0326, _TRANSPORTS, "A GET MUST either return Content-Type text/event-stream or HTTP 405 Method Not Allowed.", ("http",)),
        _r("HTTP-08", "MUST", H_0326, _TRANSPORTS, "After a client ends a session with DELETE (if the server allows it), requests with that session ID MUST get HTTP 404.", ("http",)),
        _r("HTTP-09", "MUST", H_0326, _TRANSPORTS, "Servers MUST validate the Origin header on all incoming connections; an invalid Origin is refused (HTTP 403 from 2025-11-25).", ("http",)),
        _r("HTTP-10", "MUST", H_0618, _TRANSPORTS, "If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST respond with 400 Bad Request.", ("http",)),
        _r("HTTP-11", "SHOULD", H_0618, _TRANSPORTS, "From 2025-06-18 a POST body is a single JSON-RPC message: an array (batch) is rejected with a 4xx.", ("http",)),
        _r("HTTP-12", "SHOULD", H_0326, _TRANSPORTS, "A POST body that is not valid JSON is rejected with HTTP 400 (optionally with a -32700 error and no id).", ("http",)),
        _r("FUZZ-01", "MUST", ALL_H, _TOOLS, "For any arguments valid against inputSchema, tools/call returns a result (isError allowed) within the timeout, never a protocol error or a crash, and structured results conform to outputSchema."),
        _r("FUZZ-02", "MUST", ALL_H, _TOOLS, "Servers MUST validate all tool inputs: for any arguments that violate inputSchema, tools/call returns an isError result or -32602, never a success, and the server keeps running."),
        _r("SERVER-ALIVE", "MUST", ALL_H, _LIFE, "During the operation phase the server keeps serving: it does not exit or stop answering while the client is connected."),
    )
}


def requirement(id: str) -> Requirement:
    """The requirement with ``id``.

    Raises:
        KeyError: unknown id; the message lists where the ids are defined.
    """
    try:
        return REQUIREMENTS[id]
    except KeyError:
        raise KeyError(f"unknown requirement id {id!r}; see `mcptest checks` for the list") from None
