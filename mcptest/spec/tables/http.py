"""Streamable HTTP of the handshake era, 2025-03-26 to 2025-11-25 (HTTP-*): sessions, SSE streams, headers."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import NULL_ID, older, since

_T = "basic/transports"
_HTTP = ("http",)
_H = since("2025-03-26", modern=False)
_SEND = "Sending Messages to the Server"
_SESSIONS = "Session Management"
_RESUME = "Resumability and Redelivery"

TABLE = (
    Requirement(
        "HTTP-01",
        "MUST",
        _H,
        _T,
        "A POSTed request is answered as application/json or text/event-stream.",
        "If the input is a JSON-RPC _request_, the server MUST either return `Content-Type: text/event-stream`, to "
        "initiate an SSE stream, or `Content-Type: application/json`, to return one JSON object.",
        section=_SEND,
        transports=_HTTP,
        at=older(
            ("2025-03-26",),
            quote="If the input contains any number of JSON-RPC _requests_, the server MUST either "
            "return `Content-Type: text/event-stream`, to initiate an SSE stream, or `Content-Type: "
            "application/json`, to return one JSON object.",
        ),
    ),
    Requirement(
        "HTTP-02",
        "MUST",
        _H,
        _T,
        "A session id is visible ASCII only (0x21 to 0x7E).",
        "The session ID MUST only contain visible ASCII characters (ranging from 0x21 to 0x7E).",
        section=_SESSIONS,
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-17",
        "SHOULD",
        _H,
        _T,
        "Session ids are globally unique and unguessable (a new one per session).",
        "The session ID SHOULD be globally unique and cryptographically secure (e.g., a securely generated UUID, a "
        "JWT, "
        "or a cryptographic hash).",
        section=_SESSIONS,
        transports=_HTTP,
        note="Split from HTTP-02, whose visible-ASCII rule is a MUST.",
    ),
    Requirement(
        "HTTP-03",
        "SHOULD",
        _H,
        _T,
        "A server that issued a session id answers a request without one with HTTP 400.",
        "Servers that require a session ID SHOULD respond to requests without an `MCP-Session-Id` header (other than "
        "initialization) with HTTP 400 Bad Request.",
        section=_SESSIONS,
        transports=_HTTP,
        at=older(
            ("2025-03-26", "2025-06-18"),
            quote="Servers that require a session ID SHOULD respond to requests "
            "without an `Mcp-Session-Id` header (other than initialization) with HTTP 400 Bad Request.",
        ),
    ),
    Requirement(
        "HTTP-04",
        "SHOULD",
        _H,
        _T,
        "A session id the server never issued is refused (HTTP 404, as for an ended session).",
        "The server MAY terminate the session at any time, after which it MUST respond to requests containing that "
        "session ID with HTTP 404 Not Found.",
        section=_SESSIONS,
        transports=_HTTP,
        source="practice",
        note="The spec's MUST covers sessions the server terminated (HTTP-08); for an id it never issued it says "
        "nothing, and answering it like an ended session (404, which makes clients re-initialize) is practice.",
    ),
    Requirement(
        "HTTP-05",
        "MUST",
        _H,
        _T,
        "A POSTed notification or response that is accepted gets 202 Accepted with no body.",
        "If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body.",
        section=_SEND,
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-06",
        "SHOULD",
        _H,
        _T,
        "An SSE answer to a POSTed request eventually carries its response.",
        "The SSE stream SHOULD eventually include a JSON-RPC _response_ for the JSON-RPC _request_ sent in the POST "
        "body.",
        section=_SEND,
        transports=_HTTP,
        at=older(
            ("2025-06-18",),
            quote="The SSE stream SHOULD eventually include JSON-RPC _response_ for the JSON-RPC "
            "_request_ sent in the POST body.",
        )
        | older(
            ("2025-03-26",),
            quote="The SSE stream SHOULD eventually include one JSON-RPC _response_ per each "
            "JSON-RPC _request_ sent in the POST body.",
        ),
    ),
    Requirement(
        "HTTP-07",
        "MUST",
        _H,
        _T,
        "A GET either opens a text/event-stream or is refused with 405.",
        "The server MUST either return `Content-Type: text/event-stream` in response to this HTTP GET, or else return "
        "HTTP 405 Method Not Allowed, indicating that the server does not offer an SSE stream at this endpoint.",
        section="Listening for Messages from the Server",
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-19",
        "MUST",
        _H,
        _T,
        "The GET stream carries no JSON-RPC response (unless resuming).",
        "The server MUST NOT send a JSON-RPC _response_ on the stream unless resuming a stream associated with a "
        "previous client request.",
        section="Listening for Messages from the Server",
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-08",
        "MUST",
        _H,
        _T,
        "After a session ends (e.g. by DELETE), its id gets HTTP 404.",
        "The server MAY terminate the session at any time, after which it MUST respond to requests containing that "
        "session ID with HTTP 404 Not Found.",
        section=_SESSIONS,
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-09",
        "MUST",
        _H,
        _T,
        "A request with a foreign Origin is refused (HTTP 403 from 2025-11-25).",
        "If the `Origin` header is present and invalid, servers MUST respond with HTTP 403 Forbidden.",
        section="Security Warning",
        transports=_HTTP,
        at=older(
            ("2025-03-26", "2025-06-18"),
            quote="Servers MUST validate the `Origin` header on all incoming "
            "connections to prevent DNS rebinding attacks",
        ),
    ),
    Requirement(
        "HTTP-10",
        "MUST",
        since("2025-06-18", modern=False),
        _T,
        "An invalid MCP-Protocol-Version header gets HTTP 400.",
        "If the server receives a request with an invalid or unsupported `MCP-Protocol-Version`, it MUST respond with "
        "`400 Bad Request`.",
        section="Protocol Version Header",
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-11",
        "INFO",
        since("2025-06-18", modern=False),
        _T,
        "A POST body that is a JSON array (a batch): how it is refused.",
        "The body of the POST request MUST be a single JSON-RPC _request_, _notification_, or _response_.",
        section=_SEND,
        transports=_HTTP,
        binds="client",
        note="The sentence binds the client; refusing an array with a 4xx is what the SDK does, not a server rule.",
    ),
    Requirement(
        "HTTP-12",
        "SHOULD",
        _H,
        "response_object",
        "A POST body that is not JSON gets HTTP 400 (and -32700 with id null if any).",
        NULL_ID,
        source="jsonrpc",
        transports=_HTTP,
        note="JSON-RPC's parse-error rule; MCP gives HTTP no status for it.",
    ),
    Requirement(
        "HTTP-13",
        "MUST",
        _H,
        _T,
        "Each message goes out on one stream only: no broadcast.",
        "The server MUST send each of its JSON-RPC messages on only one of the connected streams; that is, it MUST NOT "
        "broadcast the same message across multiple streams.",
        section="Multiple Connections",
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-14",
        "MUST",
        _H,
        _T,
        "SSE event ids, when used, are unique across the session's streams.",
        "If present, the ID MUST be globally unique across all streams within that session—or all streams with that "
        "specific client, if session management is not in use.",
        section=_RESUME,
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-20",
        "MUST",
        _H,
        _T,
        "Resuming with Last-Event-ID replays only the stream that was cut.",
        "The server MUST NOT replay messages that would have been delivered on a different stream.",
        section=_RESUME,
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-21",
        "SHOULD",
        ("2025-11-25",),
        _T,
        "An SSE stream starts with a priming event (an id and empty data).",
        "The server SHOULD immediately send an SSE event consisting of an event ID and an empty `data` field in order "
        "to "
        "prime the client to reconnect (using that event ID as `Last-Event-ID`).",
        section=_SEND,
        transports=_HTTP,
    ),
    Requirement(
        "HTTP-15",
        "INFO",
        _H,
        _T,
        "A POST without the required Accept types: how the server answers it.",
        "The client MUST include an `Accept` header, listing both `application/json` and `text/event-stream` as "
        "supported content types.",
        section=_SEND,
        transports=_HTTP,
        binds="client",
    ),
    Requirement(
        "HTTP-16",
        "SHOULD",
        _H,
        "basic/utilities/cancellation",
        "A request cancelled over HTTP gets no success result.",
        "Receivers of cancellation notifications SHOULD: … Not send a response for the cancelled request",
        section="Behavior Requirements",
        transports=_HTTP,
        binds="both",
    ),
)
"""The HTTP-* requirements (Streamable HTTP, 2025-03-26 to 2025-11-25)."""
