"""Deterministic example arguments for a tool: the smallest valid object its inputSchema admits."""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

import jsonschema
from jsonschema import FormatChecker

from mcptest.findings import NotApplicable

SAFE_URI = "http://127.0.0.1:9/mcptest"  # the discard port: nothing answers, nothing leaves this machine
FORMATS = {
    "email": "user@example.com",
    "uri": SAFE_URI,
    "url": SAFE_URI,
    "uri-reference": SAFE_URI,
    "iri": SAFE_URI,
    "hostname": "localhost",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "duration": "P1D",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def validator_for(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    """A validator for ``schema`` in its declared dialect (2020-12 by default), checking formats."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=FormatChecker())


def example_arguments(schema: Any) -> dict[str, Any]:
    """The smallest valid arguments for ``schema`` (required properties only, preferring defaults).

    The result is computed once per distinct schema (a copy is returned each time).

    Raises:
        NotApplicable: no valid example could be built; the reason says why.
    """
    if not isinstance(schema, dict):
        raise NotApplicable("the tool's inputSchema is not an object, so no arguments can be built")
    found = _cached_example(json.dumps(schema, sort_keys=True))
    if isinstance(found, str):
        raise NotApplicable(found)
    return copy.deepcopy(found)


@functools.lru_cache(maxsize=4096)
def _cached_example(text: str) -> dict[str, Any] | str:
    """The example for the schema ``text`` encodes, or why there is none."""
    schema = json.loads(text)
    validator = validator_for(schema)
    try:
        validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"the tool's inputSchema is not a valid JSON Schema (see TOOL-03): {exc.message}"
    try:
        value = _example(schema, schema, depth=0)
    except RecursionError:
        value = None
    if isinstance(value, dict):
        value = _repair(value, schema, validator)
        if not list(validator.iter_errors(value)):
            return value
    fallback = _hypothesis_example(schema)
    if fallback is not None:
        return fallback
    return f"could not build valid example arguments for inputSchema {text[:200]}"


def _repair(value: dict[str, Any], schema: dict[str, Any], validator: Any, rounds: int = 8) -> dict[str, Any]:
    """Add what top-level ``required`` rules (plain, in ``anyOf``/``oneOf``/``allOf`` or ``if/then/else``)
    still miss."""
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for _ in range(rounds):
        missing = [name for error in validator.iter_errors(value) if not error.absolute_path
                   for name in _wanted(error) if name not in value]
        if not missing:
            break
        for name in dict.fromkeys(missing):
            value[name] = _example(props.get(name, {}), schema, depth=1)
    return value


def _wanted(error: Any) -> list[str]:
    """Property names an error at the root asks for: its own ``required``, or the first option's of an anyOf/oneOf."""
    if error.validator == "required" and isinstance(error.validator_value, list):
        return [n for n in error.validator_value if isinstance(n, str)]
    if error.validator in ("anyOf", "oneOf") and isinstance(error.validator_value, list) and error.validator_value:
        first = error.validator_value[0]
        required = first.get("required") if isinstance(first, dict) else None
        return [n for n in required if isinstance(n, str)] if isinstance(required, list) else []
    return []


def _hypothesis_example(schema: dict[str, Any]) -> dict[str, Any] | None:
    """Arguments Hypothesis finds for ``schema``, or None when it cannot find any (the schema's problem).

    Only what Hypothesis and the generator raise for a schema they cannot satisfy or handle means "no
    example"; any other exception is a bug in mcptest and propagates (the runner reports it as an error).
    """
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    from mcptest.fuzz import tool_arguments
    from mcptest.fuzz.schema import UnsupportedSchema
    from mcptest.serial import HYPOTHESIS

    with HYPOTHESIS:
        try:
            return find(
                tool_arguments({"name": "example", "inputSchema": schema}),
                lambda _: True,
                settings=settings(database=None, max_examples=50, suppress_health_check=list(HealthCheck)),
            )
        except (NoSuchExample, Unsatisfiable, UnsupportedSchema):
            return None


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#"):
        return node
    target: Any = root
    for part in ref.lstrip("#/").split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        target = target.get(part) if isinstance(target, dict) else None
    return _resolve(target, root) if isinstance(target, dict) else node


def _example(node: Any, root: dict[str, Any], depth: int) -> Any:
    if not isinstance(node, dict) or depth > 12:
        return None
    node = _resolve(node, root)
    for key in ("const",):
        if key in node:
            return node[key]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    if isinstance(node.get("examples"), list) and node["examples"]:
        return node["examples"][0]
    if isinstance(node.get("allOf"), list) and node["allOf"]:
        merged = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"]:
            merged = _merge(merged, _resolve(part, root) if isinstance(part, dict) else {})
        return _example(merged, root, depth + 1)
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and options:
            preferred = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")] or options
            rest = {k: v for k, v in node.items() if k != key}
            chosen = _resolve(preferred[0], root) if isinstance(preferred[0], dict) else {}
            return _example(_merge(rest, chosen), root, depth + 1)
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None:
        kind = "object" if "properties" in node else "string" if "pattern" in node or "format" in node else None
    return _by_type(kind, node, root, depth)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Two schemas that must both hold, as one: required lists and properties united, other keywords from ``extra``."""
    merged = {**base, **extra}
    if isinstance(base.get("required"), list) and isinstance(extra.get("required"), list):
        merged["required"] = list(dict.fromkeys([*base["required"], *extra["required"]]))
    if isinstance(base.get("properties"), dict) and isinstance(extra.get("properties"), dict):
        merged["properties"] = {**base["properties"], **extra["properties"]}
    return merged


def _by_type(kind: Any, node: dict[str, Any], root: dict[str, Any], depth: int) -> Any:
    if kind == "object":
        props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        required = [r for r in node.get("required", []) if isinstance(r, str)]
        return {name: _example(props.get(name, {}), root, depth + 1) for name in required}
    if kind == "array":
        count = int(node.get("minItems", 0) or 0)
        items = node.get("items") if isinstance(node.get("items"), dict) else {}
        return [_example(items, root, depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(node)
    if kind in ("integer", "number"):
        return _number(kind, node)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "mcptest"


def _string(node: dict[str, Any]) -> str:
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt in FORMATS:
        return FORMATS[fmt]
    if isinstance(node.get("pattern"), str):
        matched = _pattern_example(node["pattern"])
        if matched is not None:
            return matched
    low = int(node.get("minLength", 0) or 0)
    text = "mcptest"
    if low > len(text):
        text = text + "x" * (low - len(text))
    high = node.get("maxLength")
    return text[: int(high)] if isinstance(high, int) else text


def _pattern_example(pattern: str) -> str | None:
    """A string matching ``pattern``, or None when Python cannot use it (ECMA-only syntax, invalid, empty)."""
    from hypothesis import find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument, NoSuchExample, Unsatisfiable

    from mcptest.serial import HYPOTHESIS

    with HYPOTHESIS:
        try:
            return find(st.from_regex(pattern, fullmatch=True), lambda _: True, settings=settings(database=None))
        except (re.error, InvalidArgument, NoSuchExample, Unsatisfiable):
            return None


def _number(kind: str, node: dict[str, Any]) -> int | float:
    low = node.get("minimum")
    if isinstance(node.get("exclusiveMinimum"), (int, float)) and not isinstance(node.get("exclusiveMinimum"), bool):
        low = node["exclusiveMinimum"] + 1
    high = node.get("maximum", node.get("exclusiveMaximum"))
    value: float = 1
    if isinstance(low, (int, float)) and value < low:
        value = low
    if isinstance(high, (int, float)) and value >= high:
        value = high if "maximum" in node else high - 1
    step = node.get("multipleOf")
    if isinstance(step, (int, float)) and step > 0 and value % step:
        value = (value // step + 1) * step
    return int(value) if kind == "integer" else float(value)


MS_NAMES = ("ms", "millis", "milliseconds")
SECOND_NAMES = ("seconds", "secs", "sec", "delay", "sleep", "duration", "wait", "pause", "interval")
COUNT_NAMES = ("n", "count", "steps", "iterations", "times", "repeat", "repeats", "loops", "total")


def _busy_value(name: str, prop: dict[str, Any]) -> float | None:
    lowered = name.lower()
    words = set(lowered.replace("-", "_").split("_"))
    if words & set(MS_NAMES) or lowered.endswith("ms"):
        return 1500
    if words & set(SECOND_NAMES):
        return 1.5
    if words & set(COUNT_NAMES) or lowered.startswith("num"):
        return 5
    return None


def busy_arguments(schema: Any) -> dict[str, Any]:
    """Example arguments that ask for some work: numeric properties named like a delay (``delay_ms``,
    ``seconds``) or a count (``n``, ``steps``) get values for about 1.5 s or 5 steps, within the
    schema's bounds. Used to find a request slow enough to cancel, ping past, or report progress.

    Raises:
        NotApplicable: as ``example_arguments``.
    """
    arguments = example_arguments(schema)
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    busy = dict(arguments)
    for name, prop in props.items():
        prop = _resolve(prop, schema) if isinstance(prop, dict) else {}
        if prop.get("type") not in ("integer", "number"):
            continue
        wanted = _busy_value(name, prop)
        if wanted is None:
            continue
        value = _number(prop["type"], {**prop, "minimum": max(wanted, prop.get("minimum", wanted))})
        busy[name] = value
    validator = validator_for(schema)
    if busy != arguments and not list(validator.iter_errors(busy)):
        return busy
    return arguments
