"""Behaviour that depends on the client's capabilities (CAP-*); robustness (SERVER-ALIVE, STATE-*)."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import (
    ALL,
    CONFORM_OUTPUT,
    KNOWN_RESOURCE,
    MUST_REPLY,
    ONLY_NEGOTIATED,
    H,
    negotiated,
    older,
    since,
)

_LIFE = "basic/lifecycle"
_TASKS = "basic/utilities/tasks"
_ALIVE_NOTE = (
    "JSON-RPC's rule; MCP has no keyword of its own for it (a server MAY even exit: lifecycle, Shutdown). "
    "A crash or a hang leaves a request without its response."
)

TABLE = (
    Requirement(
        "CAP-01",
        "MUST",
        ("2025-06-18", "2025-11-25"),
        _LIFE,
        "elicitation/create only to a client that declared elicitation (URL mode only with elicitation.url).",
        ONLY_NEGOTIATED,
        section="Operation",
        binds="both",
        note="2025-11-25 adds: 'Servers MUST NOT send elicitation requests with modes that are not supported by the "
        "client.'",
    ),
    Requirement(
        "CAP-02",
        "MUST",
        H,
        _LIFE,
        "sampling/createMessage only to a client that declared sampling (tools only with sampling.tools).",
        ONLY_NEGOTIATED,
        section="Operation",
        binds="both",
        at=negotiated(),
    ),
    Requirement(
        "CAP-03",
        "MUST",
        H,
        _LIFE,
        "roots/list only to a client that declared roots.",
        ONLY_NEGOTIATED,
        section="Operation",
        binds="both",
        at=negotiated(),
    ),
    Requirement(
        "CAP-04",
        "SHOULD",
        ("2025-11-25",),
        _TASKS,
        "A task-augmented call of a tool whose taskSupport is forbidden (or absent) gets -32601.",
        "Servers SHOULD return a `-32601` (Method not found) error if a client attempts to do so.",
        section="Tool-Level Negotiation",
    ),
    Requirement(
        "CAP-06",
        "MUST",
        ("2025-11-25",),
        _TASKS,
        "A plain call of a tool whose taskSupport is required gets -32601.",
        "Servers MUST return a `-32601` (Method not found) error if a client does not attempt to do so.",
        section="Tool-Level Negotiation",
    ),
    Requirement(
        "CAP-05",
        "MUST",
        since("2025-06-18"),
        "basic/authorization",
        "A server that requires authorization publishes OAuth 2.0 Protected Resource Metadata (RFC 9728).",
        "MCP servers MUST implement OAuth 2.0 Protected Resource Metadata (RFC9728).",
        section="Overview",
        transports=("http",),
        note="Authorization is OPTIONAL; the rule applies to servers that answer 401.",
    ),
    Requirement(
        "SERVER-ALIVE",
        "SHOULD",
        ALL,
        "response_object",
        "While the client is connected the server keeps serving: it neither exits nor stops answering.",
        MUST_REPLY,
        source="jsonrpc",
        note=_ALIVE_NOTE,
    ),
    Requirement(
        "STATE-01",
        "SHOULD",
        ALL,
        "response_object",
        "After any sequence of safe calls the server still answers every request: no crash, no hang.",
        MUST_REPLY,
        source="jsonrpc",
        note=_ALIVE_NOTE,
    ),
    Requirement(
        "STATE-02",
        "MUST",
        since("2025-06-18"),
        "server/tools",
        "After any sequence of calls, structured results still match their tool's outputSchema.",
        CONFORM_OUTPUT,
        section="Output Schema",
    ),
    Requirement(
        "STATE-03",
        "SHOULD",
        ALL,
        "schema",
        "After any sequence of calls, every listed resource can still be read.",
        KNOWN_RESOURCE,
        section="Resource",
        source="schema",
        schema=("Resource",),
        note="As RES-08: a listed resource is one the server can read.",
    ),
    Requirement(
        "STATE-04",
        "SHOULD",
        ALL,
        "server/tools",
        "A listing that changed is announced (list_changed) when the server declared listChanged.",
        "When the list of available tools changes, servers that declared the `listChanged` capability SHOULD send a "
        "notification to clients that have opened a `subscriptions/listen` stream with `toolsListChanged: true`:",
        section="List Changed Notification",
        note="server/resources and server/prompts say the same of their lists.",
        at=older(
            H,
            quote="When the list of available tools changes, servers that declared the `listChanged` capability "
            "SHOULD send a notification:",
        ),
    ),
)
"""The CAP-*, SERVER-ALIVE and STATE-* requirements."""
