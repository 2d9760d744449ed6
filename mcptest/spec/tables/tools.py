"""Tools (TOOL-*) and the property checks that fuzz them (FUZZ-*)."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import (
    ALL,
    CONFORM_OUTPUT,
    MUST_REPLY,
    ONLY_NEGOTIATED,
    VALIDATE_INPUTS,
    H,
    M,
    negotiated,
    older,
    since,
)

_TOOLS = "server/tools"
_TOOL_ERRORS = "schema"
_BEFORE_DIALECTS = ("2024-11-05", "2025-03-26", "2025-06-18")

TABLE = (
    Requirement(
        "TOOL-01",
        "MUST",
        ALL,
        _TOOLS,
        'Each listed tool has a string name and an inputSchema object with "type": "object"; optional fields are '
        "well-typed.",
        "Each tool is uniquely identified by a name and includes metadata describing its schema.",
        source="schema",
        schema=("Tool.name", "Tool.inputSchema"),
    ),
    Requirement(
        "TOOL-02",
        "SHOULD",
        since("2025-11-25"),
        _TOOLS,
        "Tool names are 1-128 characters of A-Z, a-z, 0-9, _, - and . (case-sensitive).",
        "The following SHOULD be the only allowed characters: uppercase and lowercase ASCII letters (A-Z, a-z), digits "
        "(0-9), underscore (_), hyphen (-), and dot (.)",
        section="Tool Names",
        note="The same list also says: 'Tool names SHOULD be between 1 and 128 characters in length (inclusive).'",
    ),
    Requirement(
        "TOOL-14",
        "SHOULD",
        since("2025-11-25"),
        _TOOLS,
        "No tool name is listed twice.",
        "Tool names SHOULD be unique within a server.",
        section="Tool Names",
    ),
    Requirement(
        "TOOL-03",
        "MUST",
        ALL,
        "basic",
        "inputSchema and outputSchema are valid JSON Schema for their dialect (2020-12 when no $schema is given).",
        "Schemas MUST be valid according to their declared or default dialect",
        section="Schema Validation",
        schema=("Tool.inputSchema",),
        binds="both",
        note="Before 2025-11-25 the rule is the schema's: inputSchema is 'a JSON Schema'. A $ref to a remote document "
        "is no finding here (see TOOL-15).",
        at=older(
            _BEFORE_DIALECTS,
            quote="`inputSchema`: JSON Schema defining expected parameters",
            page=_TOOLS,
            section="Tool",
            source="schema",
        ),
    ),
    Requirement(
        "TOOL-15",
        "INFO",
        M,
        "basic",
        "A tool schema that points $ref at a network URI (clients will not fetch it).",
        "Implementations MUST NOT automatically dereference `$ref` values that resolve to a network URI.",
        section="`$ref` Resolution",
        binds="both",
        note="The rule binds whoever validates (clients, and servers validating inputs); a remote $ref in a schema "
        "breaks no rule by itself.",
    ),
    Requirement(
        "TOOL-04",
        "MUST",
        ("2025-06-18", "2025-11-25"),
        _TOOLS,
        'An outputSchema has "type": "object" at its root.',
        "`outputSchema`: Optional JSON Schema defining expected output structure",
        section="Tool",
        source="schema",
        schema=("Tool.outputSchema",),
        note="The 2025-06-18 and 2025-11-25 schemas fix the root type to object; 2026-07-28 allows any schema.",
    ),
    Requirement(
        "TOOL-05",
        "MUST",
        ALL,
        _TOOLS,
        "A tools/call result has a content array of valid blocks and a boolean isError if any.",
        "Unstructured content is returned in the `content` field of a result, and can contain multiple content items "
        "of "
        "different types:",
        section="Tool Result",
        source="schema",
        schema=("CallToolResult.content", "CallToolResult.isError"),
        at=older(
            ("2024-11-05", "2025-03-26"), quote="Tool results can contain multiple content items of different types:"
        ),
    ),
    Requirement(
        "TOOL-13",
        "SHOULD",
        ALL,
        _TOOL_ERRORS,
        "A call with schema-valid arguments gets a tool result (failures as isError: true), not a JSON-RPC error.",
        "Any errors that originate from the tool SHOULD be reported inside the result object, with `isError` set to "
        "true, "
        "not as an MCP protocol-level error response.",
        section="CallToolResult",
        note="Split from TOOL-05: the spec also lists server errors among protocol errors, so this is a SHOULD.",
    ),
    Requirement(
        "TOOL-06",
        "MUST",
        since("2025-06-18"),
        _TOOLS,
        "A tool with an outputSchema returns structuredContent valid against it.",
        CONFORM_OUTPUT,
        section="Output Schema",
    ),
    Requirement(
        "TOOL-07",
        "SHOULD",
        since("2025-06-18"),
        _TOOLS,
        "structuredContent is also returned as serialized JSON in a text block.",
        "For backwards compatibility, a tool that returns structured content SHOULD also return the serialized JSON in "
        "a "
        "TextContent block.",
        section="Structured Content",
    ),
    Requirement(
        "TOOL-08",
        "SHOULD",
        ALL,
        _TOOL_ERRORS,
        "Calling an unknown tool gets a JSON-RPC error, not a tool result.",
        "However, any errors in finding the tool, an error indicating that the server does not support tool calls, or "
        "any "
        "other exceptional conditions, should be reported as an MCP error response.",
        section="CallToolResult",
        source="schema",
        schema=("CallToolResult.isError",),
        note="Any JSON-RPC error code satisfies it: the spec's -32602 is an example. The schema's 'should' is "
        "lowercase.",
    ),
    Requirement(
        "TOOL-09",
        "SHOULD",
        ALL,
        "error_object",
        "A malformed tools/call (no name, arguments not an object) gets Invalid params.",
        "Invalid method parameter(s).",
        source="jsonrpc",
        note="JSON-RPC's meaning of -32602; MCP lists malformed requests among protocol errors without a keyword.",
    ),
    Requirement(
        "TOOL-10",
        "MUST",
        ALL,
        _TOOLS,
        "Arguments that violate inputSchema are rejected (an isError result or any JSON-RPC error).",
        VALIDATE_INPUTS,
        section="Security Considerations",
        note="Which channel carries the rejection is not constrained: -32602 in the spec is an example, and from "
        "2025-11-25 input validation errors are described as tool execution errors (isError: true).",
    ),
    Requirement(
        "TOOL-11",
        "MUST",
        H,
        "basic/lifecycle",
        "notifications/tools/list_changed is sent only when tools.listChanged was declared.",
        ONLY_NEGOTIATED,
        section="Operation",
        binds="both",
        at=negotiated(),
        note="At 2026-07-28 MOD-24 covers it: notifications only on a listen stream that asked for them.",
    ),
    Requirement(
        "TOOL-12",
        "MUST",
        M,
        _TOOLS,
        "Every x-mcp-header annotation in an inputSchema is valid.",
        "Constraints on `x-mcp-header` values: … MUST NOT be empty … MUST match HTTP field-name token syntax "
        "(`1*tchar`, "
        "RFC 9110 Section 5.1)",
        section="x-mcp-header",
        note="The same list requires a case-insensitively unique name on a statically reachable integer, string or "
        "boolean property.",
    ),
    Requirement(
        "FUZZ-01",
        "SHOULD",
        ALL,
        "response_object",
        "Every fuzzed call, valid or invalid arguments, is answered: the server neither crashes nor hangs.",
        MUST_REPLY,
        source="jsonrpc",
        note="JSON-RPC's rule; MCP has no keyword of its own for it. A bad result goes to TOOL-05/TOOL-06, a JSON-RPC "
        "error for valid arguments to TOOL-13.",
    ),
    Requirement(
        "FUZZ-02",
        "MUST",
        ALL,
        _TOOLS,
        "Arguments that violate inputSchema are never accepted as a success.",
        VALIDATE_INPUTS,
        section="Security Considerations",
        note="Any rejection counts: an isError result or any JSON-RPC error code.",
    ),
)
"""The TOOL-* and FUZZ-* requirements."""
