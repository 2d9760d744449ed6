"""Calling the module's tools whatever a submission named their arguments, and reading what they answer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mcptest.grading.outcome import Miss
from mcptest.grading.submission import RunningServer, ToolOutcome

# The contract's argument name first, then the spellings the grader also accepts.
ALIASES: dict[str, tuple[str, ...]] = {
    "user_id": ("user_id", "userId", "id", "user"),
    "name": ("name", "full_name", "username"),
    "email": ("email", "email_address", "mail"),
    "query": ("query", "sql", "statement"),
    "operations": ("operations", "ops", "statements", "queries", "batch"),
    "table_name": ("table_name", "table", "tableName", "name"),
    "service": ("service", "service_name", "serviceName"),
    "method": ("method", "http_method", "verb"),
    "endpoint": ("endpoint", "path", "url", "route"),
    "data": ("data", "body", "json", "payload"),
    "requests": ("requests", "calls", "batch"),
    "items": ("items", "order_items", "lines", "products"),
    "sku": ("sku", "product_id", "item_id", "product", "name"),
    "quantity": ("quantity", "qty", "count"),
    "price": ("price", "unit_price", "amount"),
}
TOOL_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("execute_query", "params"): ("params", "parameters", "args", "values", "bindings"),
    ("batch_operations", "params"): ("params", "parameters", "args", "values", "bindings"),
    ("api_request", "params"): ("params", "query", "query_params", "queryParams"),
    ("batch_api_requests", "params"): ("params", "query", "query_params", "queryParams"),
}


def _resolve(schema: Any, root: Any) -> Any:
    """Follow local ``$ref`` (and a single-branch ``anyOf`` such as ``X | None``) to the real schema."""
    for _ in range(20):
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            schema = node
            continue
        branches = [b for b in schema.get("anyOf", []) if isinstance(b, dict) and b.get("type") != "null"]
        if "properties" not in schema and "items" not in schema and len(branches) == 1:
            schema = branches[0]
            continue
        return schema
    return {}


def _fit(value: Any, schema: Any, root: Any, tool: str) -> Any:
    """``value`` shaped for ``schema``: dict keys renamed to the schema's spelling, ids typed as it wants."""
    schema = _resolve(schema, root)
    kind = schema.get("type")
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        fitted = {}
        for key, item in value.items():
            actual = key
            if properties and key not in properties:
                names = TOOL_ALIASES.get((tool, key), ALIASES.get(key, ()))
                actual = next((alias for alias in names if alias in properties), key)
            fitted[actual] = _fit(item, properties.get(actual, {}), root, tool)
        return fitted
    if isinstance(value, list):
        return [_fit(item, schema.get("items", {}), root, tool) for item in value]
    if kind == "string" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if kind == "integer" and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def arguments_for(tool: Any, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The contract's ``arguments`` renamed and typed for this tool's inputSchema."""
    schema = getattr(tool, "input_schema", None) or getattr(tool, "inputSchema", None) or {}
    return _fit(dict(arguments), schema, schema, tool.name)


def require_tool(server: RunningServer, name: str) -> Any:
    """The tool, or a Miss saying that the module's tool is missing."""
    tool = server.tools.get(name)
    if tool is None:
        listed = ", ".join(sorted(server.tools)) or "none"
        raise Miss(f"the server has no tool named {name!r} (it lists: {listed})")
    return tool


def call(server: RunningServer, name: str, arguments: Mapping[str, Any], timeout: float | None = None) -> ToolOutcome:
    """Call the module's tool ``name`` with the contract's ``arguments`` (renamed to the server's spelling)."""
    return server.call(name, arguments_for(require_tool(server, name), arguments), timeout)


def prepared(server: RunningServer, name: str, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(name, arguments)`` ready for ``RunningServer.call_many`` / ``start_call``."""
    return name, arguments_for(require_tool(server, name), arguments)


# -- reading answers ---------------------------------------------------------------------------------------
def walk(value: Any, depth: int = 0) -> Iterator[Any]:
    """Every nested value, breadth-first (the value itself first)."""
    queue = [(value, 0)]
    while queue:
        node, level = queue.pop(0)
        yield node
        if level >= 6:
            continue
        if isinstance(node, dict):
            queue += [(child, level + 1) for child in node.values()]
        elif isinstance(node, list):
            queue += [(child, level + 1) for child in node]


def find_record(payload: Any, *keys: str) -> dict[str, Any] | None:
    """The first object (breadth-first) that has all ``keys``."""
    return next((node for node in walk(payload) if isinstance(node, dict) and all(k in node for k in keys)), None)


def find_rows(payload: Any) -> list[Any] | None:
    """The rows of a query result: the list under ``results``/``rows``/``data``, else the first list found."""
    for node in walk(payload):
        if isinstance(node, dict):
            for key in ("results", "rows", "data", "records", "result"):
                if isinstance(node.get(key), list):
                    return node[key]
    return next((node for node in walk(payload) if isinstance(node, list)), None)


def pick(record: Mapping[str, Any] | None, *names: str) -> Any:
    """The value of the first of ``names`` present in ``record`` (None when none is)."""
    if not isinstance(record, Mapping):
        return None
    return next((record[name] for name in names if name in record), None)


def number(record: Mapping[str, Any] | None, *names: str) -> float | None:
    """A numeric field under one of ``names`` (top level or nested)."""
    for node in walk(record):
        value = pick(node, *names) if isinstance(node, Mapping) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None
