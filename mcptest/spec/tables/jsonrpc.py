"""JSON-RPC framing requirements (BASE-*): message shape, ids, error codes, batches, notifications."""

from __future__ import annotations

from mcptest.spec.model import At, Requirement
from mcptest.spec.tables.common import (
    ALL,
    MUST_REPLY,
    NULL_ID,
    ROBUSTNESS,
    ROBUSTNESS_URL,
    H,
    M,
    older,
    since,
)

_JSONRPC_LEVEL = (
    "MCP messages follow JSON-RPC 2.0, but MCP states this rule with no keyword of its own: at most SHOULD."
)


def _responses(quote: str) -> dict[str, At]:
    """Before 2025-11-25 one "Responses" section covered results and errors (on basic/messages at 2024-11-05)."""
    return older(("2024-11-05",), quote=quote, page="basic/messages", section="Responses") | older(
        ("2025-03-26", "2025-06-18"), quote=quote, section="Responses"
    )


TABLE = (
    Requirement(
        "BASE-01",
        "MUST",
        ALL,
        "basic",
        "Every message the server sends is a JSON-RPC 2.0 request, notification or response.",
        "All messages between MCP clients and servers MUST follow the JSON-RPC 2.0 specification.",
        section="Messages",
        binds="both",
        at=older(("2024-11-05",), section=""),
    ),
    Requirement(
        "BASE-02",
        "MUST",
        ALL,
        "basic",
        "A response carries the id of its request: same value, same JSON type.",
        "Result responses MUST include the same ID as the request they correspond to.",
        section="Result Responses",
        binds="both",
        at=_responses("Responses MUST include the same ID as the request they correspond to."),
    ),
    Requirement(
        "BASE-03",
        "MUST",
        ALL,
        "basic",
        "A response has exactly one of result and error; an error has an integer code and a string message.",
        "Error responses MUST include an `error` field with a `code` and `message`.",
        section="Error Responses",
        binds="both",
        at=_responses("Either a `result` or an `error` MUST be set."),
    ),
    Requirement(
        "BASE-04",
        "MUST",
        since("2025-03-26"),
        "basic",
        "A notification is never answered.",
        "The receiver MUST NOT send a response.",
        section="Notifications",
        binds="both",
    ),
    Requirement(
        "BASE-16",
        "SHOULD",
        ("2024-11-05",),
        "notification",
        "A notification is never answered (2024-11-05: JSON-RPC's rule; MCP added its own MUST in 2025-03-26).",
        "The Server MUST NOT reply to a Notification, including those that are within a batch request.",
        source="jsonrpc",
        note=_JSONRPC_LEVEL,
    ),
    Requirement(
        "BASE-05",
        "SHOULD",
        ALL,
        "response_object",
        "Invalid JSON is answered with Parse error (-32700) and id null, and the server keeps serving.",
        NULL_ID,
        source="jsonrpc",
        note=_JSONRPC_LEVEL + " The code is JSON-RPC's: -32700 Parse error.",
    ),
    Requirement(
        "BASE-06",
        "SHOULD",
        ALL,
        "response_object",
        "A message that is not a valid request object is answered with Invalid Request (-32600) and id null.",
        NULL_ID,
        source="jsonrpc",
        note=_JSONRPC_LEVEL + " The code is JSON-RPC's: -32600 Invalid Request.",
    ),
    Requirement(
        "BASE-07",
        "SHOULD",
        ALL,
        "error_object",
        "A request for a method that does not exist gets Method not found (-32601).",
        "The method does not exist / is not available.",
        source="jsonrpc",
        note=_JSONRPC_LEVEL + " The quote is JSON-RPC's meaning of -32601 Method not found; over Streamable HTTP at "
        "2026-07-28 MHTTP-05 is the MUST.",
    ),
    Requirement(
        "BASE-08",
        "SHOULD",
        ALL,
        "error_object",
        "Params that violate the method's schema get Invalid params (-32602), not a result.",
        "Invalid method parameter(s).",
        source="jsonrpc",
        note=_JSONRPC_LEVEL + " The quote is JSON-RPC's meaning of -32602 Invalid params.",
    ),
    Requirement(
        "BASE-09",
        "SHOULD",
        ALL,
        ROBUSTNESS_URL,
        "A request with an unknown extra member is served normally.",
        ROBUSTNESS,
        source="practice",
        note="Neither MCP nor JSON-RPC 2.0 says what to do with unknown members; ignoring them is the robustness "
        "principle (RFC 1122, 1.2.2).",
    ),
    Requirement(
        "BASE-10",
        "MUST",
        ("2025-03-26",),
        "basic",
        "At 2025-03-26 a batch of requests is answered with an array of their responses.",
        "MCP implementations MAY support sending JSON-RPC batches, but MUST support receiving JSON-RPC batches.",
        section="Batching",
        binds="both",
    ),
    Requirement(
        "BASE-11",
        "SHOULD",
        since("2025-06-18"),
        "basic/transports/stdio",
        "From 2025-06-18 a JSON array is not processed as a batch: it is rejected (-32600 or HTTP 4xx), nothing "
        "executed.",
        "Each message is a single JSON-RPC request, notification, or response.",
        source="schema",
        schema=("JSONRPCMessage",),
        note="2025-06-18 removed batching: the schema's JSONRPCMessage has no array form. 2024-11-05 is not covered: "
        "MCP then said nothing about batches, and JSON-RPC 2.0 itself defines them.",
        at=older(
            ("2025-06-18", "2025-11-25"),
            quote="Messages are individual JSON-RPC requests, notifications, or responses.",
            page="basic/transports",
            section="stdio",
        ),
    ),
    Requirement(
        "BASE-12",
        "SHOULD",
        since("2025-03-26"),
        "server/utilities/completion",
        "A method of a capability the server did not declare is answered with Method not found (-32601).",
        "Servers SHOULD return standard JSON-RPC errors for common failure cases: … Method not found: `-32601` "
        "(Capability not supported)",
        section="Error Handling",
        note="The spec says it on the completion page, which exists with the completions capability from 2025-03-26; "
        "the suite applies the same rule to every capability the server did not declare. At 2024-11-05 there was no "
        "completions capability to declare.",
    ),
    Requirement(
        "BASE-13",
        "MUST",
        since("2025-06-18"),
        "basic",
        "Every _meta key the server emits follows the key naming rules.",
        "If specified, MUST be a series of labels separated by dots (`.`), followed by a slash (`/`).",
        section="`_meta`",
        binds="both",
    ),
    Requirement(
        "BASE-14",
        "MUST",
        H,
        "basic",
        "A request the server sends has a string or integer id it does not reuse.",
        "The request ID MUST NOT have been previously used by the requestor within the same session.",
        section="Requests",
        at=older(("2024-11-05",), page="basic/messages"),
    ),
    Requirement(
        "BASE-15",
        "MUST",
        M,
        "basic",
        "At 2026-07-28 the server emits no code of -32020..-32099 that the spec does not define.",
        "Implementations MUST NOT emit any code from this sub-range that is not defined by this specification and MUST "
        "use defined codes only with their specified meanings.",
        section="Error Codes",
        binds="both",
    ),
    Requirement(
        "BASE-17",
        "MUST",
        M,
        "basic",
        "At 2026-07-28 the server never emits the retired codes -32002 and -32042.",
        "Implementations of this protocol version MUST NOT emit these codes:",
        section="Error Codes",
        binds="both",
    ),
    Requirement(
        "BASE-18",
        "MUST",
        ALL,
        "basic",
        "Every result, notification and request the server sends has the shape its version's schema gives it.",
        "This is the source of truth for all protocol messages and structures.",
        source="schema",
        section="Schema",
        schema=("ServerResult", "ServerNotification"),
        note="The schema defines each message; one that does not fit it is not the protocol's message (BASE-01 "
        "holds every message to the JSON-RPC envelope, this to the body). Judged with the mcp-types models: "
        "2025-11-25 and 2026-07-28 exactly; 2024-11-05 to 2025-06-18 against the 2025-11-25 models, a superset "
        "(nothing became required or narrower since), ignoring fields the older version does not define. Extra "
        "fields are never a finding.",
    ),
)
"""The BASE-* requirements, in id order of their area."""

__all__ = ["TABLE", "MUST_REPLY"]
