"""Handshake-era lifecycle (LIFE-*) and the base utilities: ping, cancellation, progress (PING/CANC/PROG-*)."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import ALL, ONLY_NEGOTIATED, H, M, negotiated, older

_LIFE = "basic/lifecycle"
_PROGRESS_2026 = older(M, page="basic/patterns/progress")

TABLE = (
    Requirement(
        "LIFE-01",
        "MUST",
        H,
        _LIFE,
        "The initialize result carries protocolVersion, capabilities and serverInfo (name and version).",
        "The server MUST respond with its own capabilities and information:",
        section="Initialization",
        schema=("InitializeResult",),
    ),
    Requirement(
        "LIFE-02",
        "MUST",
        H,
        _LIFE,
        "A requested protocol version the server supports is echoed back.",
        "If the server supports the requested protocol version, it MUST respond with the same version.",
        section="Version Negotiation",
    ),
    Requirement(
        "LIFE-03",
        "MUST",
        H,
        _LIFE,
        "A requested version the server does not support is answered with another version it supports (or an error).",
        "Otherwise, the server MUST respond with another protocol version it supports.",
        section="Version Negotiation",
    ),
    Requirement(
        "LIFE-04",
        "INFO",
        H,
        _LIFE,
        "Requests other than ping sent before initialize: how the server answers them.",
        "The client SHOULD NOT send requests other than pings before the server has responded to the `initialize` "
        "request.",
        section="Initialization",
        binds="client",
        note="The sentence binds the client; the spec gives the server no rule for such requests.",
    ),
    Requirement(
        "LIFE-05",
        "MUST",
        H,
        "basic/utilities/ping",
        "A ping sent before initialize is answered with an empty result.",
        "The receiver MUST respond promptly with an empty response:",
        section="Behavior Requirements",
        transports=("stdio",),
        binds="both",
        note="The lifecycle lets a client send pings before the initialize response; the ping rule then applies.",
    ),
    Requirement(
        "LIFE-06",
        "SHOULD",
        H,
        _LIFE,
        "Before the initialized notification the server sends no requests other than ping (and log messages).",
        "The server SHOULD NOT send requests other than pings and logging before receiving the `initialized` "
        "notification.",
        section="Initialization",
    ),
    Requirement(
        "LIFE-07",
        "MUST",
        H,
        _LIFE,
        "The server sends sampling, elicitation and roots requests only to a client that declared the capability.",
        ONLY_NEGOTIATED,
        section="Operation",
        binds="both",
        at=negotiated(),
    ),
    Requirement(
        "LIFE-08",
        "MUST",
        H,
        _LIFE,
        "Every declared capability is real: its list method works and its sub-flags are booleans.",
        "Client and server capabilities establish which optional protocol features will be available during the "
        "session.",
        section="Capability Negotiation",
        source="schema",
        schema=("ServerCapabilities",),
        note="A declared capability says the feature is available (ServerCapabilities: 'Present if the server offers "
        "any tools to call'); a list method that fails contradicts the server's own declaration.",
    ),
    Requirement(
        "LIFE-09",
        "INFO",
        H,
        _LIFE,
        "On stdio, closing the server's stdin shuts it down: how long the server takes to exit.",
        "For the stdio transport, the client SHOULD initiate shutdown by: … First, closing the input stream to the "
        "child "
        "process (the server)",
        section="stdio",
        transports=("stdio",),
        binds="client",
        note="Up to 2025-11-25 the spec only tells the client how to shut down; 2026-07-28 adds a server SHOULD "
        "(STDIO-07).",
    ),
    Requirement(
        "LIFE-10",
        "INFO",
        H,
        _LIFE,
        "A second initialize on an initialized connection: how the server answers it.",
        "The initialization phase MUST be the first interaction between client and server.",
        section="Initialization",
        binds="both",
        note="The spec does not say what a server does with a repeated initialize; the outcome is recorded only.",
    ),
    Requirement(
        "PING-01",
        "MUST",
        H,
        "basic/utilities/ping",
        "A ping is answered promptly with an empty result, also during a long call.",
        "The receiver MUST respond promptly with an empty response:",
        section="Behavior Requirements",
        binds="both",
    ),
    Requirement(
        "CANC-01",
        "SHOULD",
        H,
        "basic/utilities/cancellation",
        "A cancelled request gets no response, and the server keeps serving.",
        "Receivers of cancellation notifications SHOULD: … Not send a response for the cancelled request",
        section="Behavior Requirements",
        binds="both",
    ),
    Requirement(
        "PROG-01",
        "MUST",
        ALL,
        "basic/utilities/progress",
        "Progress notifications for a request carry its token and a progress that increases with each one.",
        "The `progress` value MUST increase with each notification, even if the total is unknown.",
        section="Progress Flow",
        binds="both",
        at=_PROGRESS_2026,
    ),
    Requirement(
        "PROG-02",
        "MUST",
        ALL,
        "basic/utilities/progress",
        "No progress notification without a token from an active request, nor after its response.",
        "Progress notifications MUST only reference tokens that: … Were provided in an active request … Are associated "
        "with an in-progress operation",
        section="Behavior Requirements",
        binds="both",
        at=_PROGRESS_2026,
    ),
    Requirement(
        "PROG-03",
        "INFO",
        ("2024-11-05",),
        "basic/utilities/progress",
        "At 2024-11-05 a progress notification has no message field (it came in 2025-03-26).",
        'The receiver MAY then send progress notifications containing: … An optional "total" value',
        section="Progress Flow",
        source="schema",
        schema=("ProgressNotification",),
        note="An extra member is allowed (JSON-RPC params are open), so a message at 2024-11-05 is informational only.",
    ),
)
"""The LIFE-*, PING-01, CANC-01 and PROG-* requirements."""
