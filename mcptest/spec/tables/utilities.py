"""Server utilities: pagination (PAGE-*), logging (LOG-*), completion (COMP-*)."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import ALL, H, since

_PAGES = "server/utilities/pagination"
_LOG = "server/utilities/logging"

TABLE = (
    Requirement(
        "PAGE-01",
        "SHOULD",
        ALL,
        _PAGES,
        "A paginated list walks to its end through nextCursor strings, with no cycle and no repeated item.",
        "Servers SHOULD: … Provide stable cursors",
        section="Implementation Guidelines",
        note="The pagination page has no server-side MUST; the nextCursor type itself is part of each list result's "
        "shape.",
    ),
    Requirement(
        "PAGE-02",
        "SHOULD",
        ALL,
        _PAGES,
        "An invalid cursor gets Invalid params (-32602).",
        "Invalid cursors SHOULD result in an error with code -32602 (Invalid params).",
        section="Error Handling",
    ),
    Requirement(
        "LOG-01",
        "MUST",
        H,
        _LOG,
        "A server that declares logging accepts logging/setLevel for each of the eight levels.",
        "Clients can control logging verbosity by setting minimum log levels, with servers sending notifications "
        "containing severity levels, optional logger names, and arbitrary JSON-serializable data.",
        source="schema",
        schema=("SetLevelRequest", "EmptyResult"),
        note="The schema defines logging/setLevel with an empty result; a server that declares logging and refuses it "
        "contradicts its own declaration.",
    ),
    Requirement(
        "LOG-02",
        "MUST",
        ALL,
        _LOG,
        "A log notification has one of the eight levels, a data member and an optional string logger.",
        "Servers send log messages using `notifications/message` notifications:",
        section="Log Message Notifications",
        source="schema",
        schema=("LoggingMessageNotification",),
    ),
    Requirement(
        "LOG-03",
        "SHOULD",
        H,
        "schema",
        "After logging/setLevel the server sends only messages at that level or above.",
        "The server should send all logs at this level and higher (i.e., more severe) to the client as "
        "notifications/message.",
        section="SetLevelRequestParams",
        source="schema",
        schema=("SetLevelRequest",),
        note="The schema says it with a lowercase 'should': a recommendation, not a BCP 14 keyword.",
    ),
    Requirement(
        "LOG-04",
        "SHOULD",
        H,
        _LOG,
        "An invalid log level gets Invalid params (-32602).",
        "Servers SHOULD return standard JSON-RPC errors for common failure cases: … Invalid log level: `-32602` "
        "(Invalid params)",
        section="Error Handling",
    ),
    Requirement(
        "COMP-01",
        "MUST",
        since("2025-03-26"),
        "server/utilities/completion",
        "completion/complete returns completion.values (at most 100 strings), an integer total and a boolean hasMore.",
        "Servers return an array of completion values ranked by relevance, with: … Maximum 100 items per response",
        section="Completion Results",
        source="schema",
        schema=("CompleteResult.completion",),
        note="Checked only where a server can declare the completions capability, i.e. from 2025-03-26.",
    ),
)
"""The PAGE-*, LOG-* and COMP-* requirements."""
