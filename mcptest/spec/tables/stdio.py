"""The stdio transport (STDIO-*) and the legacy HTTP+SSE transport of 2024-11-05 (SSE-*)."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import ALL, ROBUSTNESS, ROBUSTNESS_URL, M, older, since

_H_STDIO = older(("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"), page="basic/transports", section="stdio")
_STDIO = ("stdio",)
_SSE = ("sse",)
_LEGACY = ("2024-11-05",)
"""The HTTP+SSE transport is defined by 2024-11-05 only; later versions mention it for backwards compatibility."""

TABLE = (
    Requirement(
        "STDIO-01",
        "MUST",
        ALL,
        "basic/transports/stdio",
        "Nothing but MCP messages on stdout, from start to exit.",
        "The server MUST NOT write anything to its `stdout` that is not a valid MCP message.",
        transports=_STDIO,
        at=_H_STDIO,
    ),
    Requirement(
        "STDIO-02",
        "MUST",
        ALL,
        "basic/transports/stdio",
        "One message per line: no message spreads over several lines.",
        "Messages are delimited by newlines, and MUST NOT contain embedded newlines.",
        transports=_STDIO,
        binds="both",
        at=_H_STDIO,
    ),
    Requirement(
        "STDIO-03",
        "MUST",
        since("2025-03-26"),
        "basic/transports",
        "Messages are UTF-8: non-ASCII text round-trips unchanged.",
        "JSON-RPC messages MUST be UTF-8 encoded.",
        section="Messages",
        transports=_STDIO,
        binds="both",
        at=older(("2025-03-26", "2025-06-18", "2025-11-25"), section=""),
    ),
    Requirement(
        "STDIO-04",
        "MAY",
        ALL,
        "basic/transports/stdio",
        "The server may log to stderr; mcptest keeps it for diagnostics only.",
        "The server MAY write UTF-8 strings to `stderr` for any logging purposes including informational, debug, and "
        "error messages.",
        transports=_STDIO,
        at=older(
            ("2025-11-25",),
            page="basic/transports",
            section="stdio",
            quote="The server MAY write UTF-8 strings to its standard error (`stderr`) for any logging purposes "
            "including informational, debug, and error messages.",
        )
        | older(
            ("2024-11-05", "2025-03-26", "2025-06-18"),
            page="basic/transports",
            section="stdio",
            quote="The server MAY write UTF-8 strings to its standard error (`stderr`) for logging purposes.",
        ),
    ),
    Requirement(
        "STDIO-05",
        "SHOULD",
        ALL,
        ROBUSTNESS_URL,
        "A line that is not a whole message is refused and the server keeps serving.",
        ROBUSTNESS,
        source="practice",
        transports=_STDIO,
        note="The spec forbids the client from sending it; what the server does then is the robustness principle.",
    ),
    Requirement(
        "STDIO-06",
        "MUST",
        M,
        "basic/transports/stdio",
        "At 2026-07-28 the server writes no JSON-RPC request to stdout.",
        "The server MUST NOT write JSON-RPC _requests_ to `stdout`.",
        section="Receiving Messages",
        transports=_STDIO,
    ),
    Requirement(
        "STDIO-07",
        "SHOULD",
        M,
        "basic/transports/stdio",
        "At 2026-07-28 the server exits promptly when its stdin closes.",
        "Servers SHOULD exit promptly when their standard input is closed or reads return end-of-file.",
        section="Shutdown",
        transports=_STDIO,
    ),
    Requirement(
        "SSE-01",
        "MUST",
        _LEGACY,
        "basic/transports",
        "GET on the SSE URL opens a text/event-stream that sends an endpoint event with the URI to POST to.",
        "When a client connects, the server MUST send an `endpoint` event containing a URI for the client to use for "
        "sending messages.",
        section="Security Warning",
        transports=_SSE,
    ),
    Requirement(
        "SSE-02",
        "MUST",
        _LEGACY,
        "basic/transports",
        "A message POSTed to the endpoint URI is accepted and answered as a message event on the stream.",
        "The server MUST provide two endpoints: … A regular HTTP POST endpoint for clients to send messages to the "
        "server",
        section="Security Warning",
        transports=_SSE,
    ),
    Requirement(
        "SSE-03",
        "SHOULD",
        _LEGACY,
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5",
        "A POST for an unknown session or with a malformed body gets an HTTP 4xx.",
        "The 4xx (Client Error) class of status code indicates that the client seems to have erred.",
        source="practice",
        transports=_SSE,
        note="The 2024-11-05 spec does not say; HTTP's own semantics do (RFC 9110).",
    ),
    Requirement(
        "SSE-04",
        "MUST",
        _LEGACY,
        "basic/transports",
        "A foreign Origin is refused on the SSE transport too.",
        "Servers MUST validate the `Origin` header on all incoming connections to prevent DNS rebinding attacks",
        section="Security Warning",
        transports=_SSE,
    ),
)
"""The STDIO-* and SSE-* requirements."""
