"""``json_schema_2020_12_tool``: a tool listed with a hand-written JSON Schema 2020-12 input schema (SEP-1613 and
SEP-2106: ``$schema``, ``$defs`` with ``$anchor``, ``additionalProperties: false``, ``allOf``/``anyOf`` and
``if``/``then``/``else``), whose arguments the server validates against exactly that schema."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent

JSON_SCHEMA_2020_12: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
        "address": {
            "$anchor": "addressDef",
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        }
    },
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}


def json_schema_tool() -> Tool:
    """The tool, listed with ``JSON_SCHEMA_2020_12`` instead of the schema MCPServer would derive.

    MCPServer still parses the arguments into the function's parameters (ignoring what the schema forbids);
    the server-wide argument validation (``presentation/validation.py``) rejects them first against the listed
    schema, so ``{"zzz": "x"}`` is an ``isError`` result, not a success.
    """

    def json_schema_2020_12_tool(
        name: str | None = None,
        address: dict[str, str] | None = None,
        contactMethod: str | None = None,  # noqa: N803 - the schema's property name
        phone: str | None = None,
        email: str | None = None,
    ) -> CallToolResult:
        """Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613, SEP-2106)."""
        contact = phone if contactMethod == "phone" else email
        text = f"JSON Schema 2020-12 tool called with: name={name!r}, address={address!r}, contact={contact!r}"
        return CallToolResult(content=[TextContent(type="text", text=text)])

    tool = Tool.from_function(json_schema_2020_12_tool)
    return tool.model_copy(update={"parameters": JSON_SCHEMA_2020_12})
