"""2026-07-28 tool-schema checks: x-mcp-header annotations (TOOL-12) and network $refs (TOOL-15)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable

TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
"""RFC 9110 field-name token: ``1*tchar``."""
PRIMITIVE = ("integer", "string", "boolean")
SAFE_INTEGER = 2**53 - 1
_SINGLE = ("additionalProperties", "items", "contains", "not", "if", "then", "else", "propertyNames",
           "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("$defs", "definitions", "dependentSchemas", "patternProperties")
NETWORK = ("http", "https", "ftp", "ws", "wss")


def schema_positions(root: Any) -> Iterator[tuple[tuple[str, ...] | None, dict[str, Any]]]:
    """Every subschema of ``root`` with its chain of ``properties`` keys (None once another keyword was crossed)."""
    stack: list[tuple[tuple[str, ...] | None, Any]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield path, node
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                stack += [((*path, str(name)) if path is not None else None, sub) for name, sub in value.items()]
            elif key in _SINGLE:
                stack.append((None, value))
            elif key in _LISTS and isinstance(value, list):
                stack += [(None, sub) for sub in value]
            elif key in _MAPS and isinstance(value, dict):
                stack += [(None, sub) for sub in value.values()]


def x_mcp_header_problem(schema: Any) -> str | None:
    """Why an inputSchema's ``x-mcp-header`` annotations break the spec's constraints (None when they do not)."""
    seen: dict[str, str] = {}
    for path, node in schema_positions(schema):
        if "x-mcp-header" not in node:
            continue
        name = node["x-mcp-header"]
        if not path:
            return (f"x-mcp-header {show(name)} sits where no chain of properties keys reaches it "
                    "(under items, a composition keyword, $defs or the root)")
        where = ".".join(path)
        if not isinstance(name, str) or not name:
            return f"property {where!r}: x-mcp-header is {show(name)}, not a non-empty string"
        if not TOKEN.match(name):
            return f"property {where!r}: x-mcp-header {name!r} is not an HTTP field-name token (RFC 9110 tchar)"
        kind = node.get("type")
        if kind not in PRIMITIVE:
            return f"property {where!r}: x-mcp-header on type {show(kind)}; only integer, string and boolean"
        for bound in ("minimum", "maximum"):
            value = node.get(bound)
            if kind == "integer" and isinstance(value, (int, float)) and abs(value) > SAFE_INTEGER:
                return f"property {where!r}: integer {bound} {value} is outside the safe range +-(2^53-1)"
        if name.lower() in seen:
            return f"x-mcp-header {name!r} on {where!r} repeats the one on {seen[name.lower()]!r} (case-insensitively)"
        seen[name.lower()] = where
    return None


@check("TOOL-12", "tools", "x-mcp-header annotations are valid", scope="tool")
def x_mcp_headers_valid(ctx: CheckContext, tool: dict[str, Any]) -> None:
    schema = tool.get("inputSchema")
    if not any("x-mcp-header" in node for _, node in schema_positions(schema)):
        raise NotApplicable(f"tool {tool.get('name')!r} marks no parameter with x-mcp-header")
    problem = x_mcp_header_problem(schema)
    if problem:
        raise ctx.violation("TOOL-12", "x-mcp-header names that are unique RFC 9110 tokens on integer, string or "
                            "boolean properties reachable through properties keys", problem,
                            sent={"method": "tools/list"})


def network_refs(schema: Any) -> list[str]:
    """The ``$ref`` values of ``schema`` that resolve to a network URI (against the root ``$id``, if any)."""
    base = schema.get("$id") if isinstance(schema, dict) and isinstance(schema.get("$id"), str) else ""
    found = []
    for _, node in schema_positions(schema):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            resolved = urljoin(base, ref) if base else ref
            if urlsplit(resolved).scheme.lower() in NETWORK or resolved.startswith("//"):
                found.append(ref)
    return found


@check("TOOL-15", "tools", "tool schemas do not point $ref at the network", scope="tool")
def no_network_refs(ctx: CheckContext, tool: dict[str, Any]) -> None:
    for key in ("inputSchema", "outputSchema"):
        remote = network_refs(tool.get(key))
        if remote:
            raise ctx.violation("TOOL-15", f"{key} without $ref to a network URI (clients must not fetch it, so it "
                                "stays unresolved)", f"$ref {show(remote[0])}", sent={"method": "tools/list"})


__all__ = ["network_refs", "schema_positions", "x_mcp_header_problem"]
