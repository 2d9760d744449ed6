"""Tool input schemas: normalising a tool to its schema, the dialect validator, refs and unsupported reasons."""

from __future__ import annotations

import json
import re
import unittest
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator

__all__ = [
    "DRAFT_2020_12",
    "JSON_TYPES",
    "MODERN_DIALECTS",
    "SUBSCHEMA_LISTS",
    "SUBSCHEMA_MAPS",
    "SUBSCHEMA_SINGLE",
    "NoInvalidArguments",
    "UnsupportedSchema",
    "allowed_types",
    "canonical_json",
    "dialect_class",
    "flatten",
    "inline_refs",
    "input_schema",
    "iter_subschemas",
    "json_type",
    "map_subschemas",
    "non_null",
    "python_regex",
    "resolve_ref",
    "schema_validator",
    "unsupported_reason",
]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# Keywords whose value is one subschema, a list of subschemas, or a name -> subschema map.
SUBSCHEMA_SINGLE = (
    "additionalProperties", "unevaluatedProperties", "items", "additionalItems", "unevaluatedItems",
    "contains", "propertyNames", "not", "if", "then", "else", "contentSchema",
)
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies")
_DYNAMIC = ("$dynamicRef", "$recursiveRef")
_ANNOTATIONS = frozenset(
    ("title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly", "$id", "$anchor",
     "$dynamicAnchor")
)
MODERN_DIALECTS = (jsonschema.Draft202012Validator, jsonschema.Draft201909Validator)


class UnsupportedSchema(unittest.SkipTest):
    """Raised when drawing from a schema that cannot be fuzzed; carries the reason.

    It subclasses `unittest.SkipTest`, so a plain `@given(args=tool_arguments(tool))` test is reported as
    skipped with the reason (pytest and Hypothesis both let skip exceptions through) rather than crashing.

    Attributes:
        reason: What about the schema prevents generation, and how to change it.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoInvalidArguments(UnsupportedSchema):
    """Raised when drawing mutations for a schema that accepts every JSON object (nothing to violate)."""


def input_schema(tool: Any) -> dict[str, Any]:
    """Return the `inputSchema` of a tool given in any of the usual shapes.

    Args:
        tool: An `mcp.types.Tool` (or any object with `input_schema`/`inputSchema`), a tool dict as sent
            on the wire (`{"name": ..., "inputSchema": {...}}`), or the input schema dict itself.

    Returns:
        A deep copy of the schema as plain JSON data.

    Raises:
        TypeError: `tool` is none of the shapes above; the message names what was received.
    """
    if isinstance(tool, Mapping):
        found = tool.get("inputSchema", tool.get("input_schema", tool))
        if found is tool and "name" in tool:  # JSON Schema has no "name" keyword: a tool without its schema
            raise TypeError(f"tool {tool['name']!r} has no 'inputSchema'; pass the tool as listed by tools/list")
    else:
        found = getattr(tool, "input_schema", None)
        if found is None:
            found = getattr(tool, "inputSchema", None)
    if not isinstance(found, Mapping):
        raise TypeError(
            f"expected an MCP tool (mcp.types.Tool, a tool dict with 'inputSchema', or a schema dict), "
            f"got {type(tool).__name__}: {tool!r:.120}"
        )
    return json.loads(json.dumps(found))


def canonical_json(value: Any) -> str:
    """Return a stable JSON text of `value` (sorted keys, no spaces), used as a cache key."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def schema_validator(schema: Mapping[str, Any]) -> Validator:
    """Return a validator for `schema` in its declared dialect (2020-12 if none), with format checking.

    Raises:
        UnsupportedSchema: the `$schema` dialect is unknown or the schema is not valid in its dialect.
    """
    return _validator(canonical_json(schema))


@lru_cache(maxsize=512)
def _validator(key: str) -> Validator:
    schema = json.loads(key)
    cls = dialect_class(schema)
    if cls is jsonschema.Draft3Validator:
        raise UnsupportedSchema("draft-03 schemas cannot be fuzzed; declare a 2020-12 $schema instead")
    # Structure only: the metaschema's "regex" format would judge ECMA-262 patterns by Python's `re`.
    error = best_match(cls(cls.META_SCHEMA).iter_errors(schema))
    if error is not None:
        where = "/".join(str(part) for part in error.path) or "(root)"
        raise UnsupportedSchema(f"inputSchema is not a valid JSON Schema at {where}: {error.message}")
    unreadable = _unreadable_pattern(schema, "#")
    if unreadable is not None:
        raise UnsupportedSchema(unreadable)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _unreadable_pattern(node: Any, where: str) -> str | None:
    if not isinstance(node, dict):
        return None
    patterns = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
    patterns += list(node.get("patternProperties", {})) if isinstance(node.get("patternProperties"), dict) else []
    for pattern in patterns:
        if python_regex(pattern) is None:
            return (f"pattern {pattern!r} at {where} uses regex syntax Python's re cannot compile (e.g. \\p{{L}}); "
                    "neither generation nor validation can honour it")
    for suffix, sub in iter_subschemas(node):
        found = _unreadable_pattern(sub, where + suffix)
        if found:
            return found
    return None


def dialect_class(schema: Mapping[str, Any]) -> type[Validator]:
    """Return the validator class of the dialect `schema` declares with `$schema` (2020-12 when absent).

    Raises:
        UnsupportedSchema: the declared dialect is not one jsonschema knows.
    """
    if "$schema" not in schema:
        return jsonschema.Draft202012Validator
    cls = jsonschema.validators.validator_for(schema, default=None)
    if cls is None:
        raise UnsupportedSchema(
            f"unknown JSON Schema dialect $schema={schema['$schema']!r}; declare {DRAFT_2020_12!r} "
            "(the MCP default) or a draft-04/06/07/2019-09 URI"
        )
    return cls


def iter_subschemas(schema: Mapping[str, Any], *, definitions: bool = True) -> Iterator[tuple[str, Any]]:
    """Yield `(json_pointer_suffix, subschema)` for every direct subschema of `schema`.

    Args:
        schema: The schema object to look into.
        definitions: Also yield the entries of `$defs`/`definitions` (reachable only through `$ref`).
    """
    for key in SUBSCHEMA_SINGLE:
        if isinstance(schema.get(key), (dict, bool)):
            yield f"/{_escape(key)}", schema[key]
    for key in SUBSCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for index, sub in enumerate(schema[key]):
                yield f"/{_escape(key)}/{index}", sub
    for key in SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), dict) and (definitions or key not in ("$defs", "definitions")):
            for name, sub in schema[key].items():
                if isinstance(sub, (dict, bool)):
                    yield f"/{_escape(key)}/{_escape(name)}", sub


def map_subschemas(node: Mapping[str, Any], fn: Callable[[str, Any], Any]) -> dict[str, Any]:
    """Return a shallow copy of `node`, each direct subschema `sub` under `keyword` replaced by `fn(keyword, sub)`."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in SUBSCHEMA_LISTS and isinstance(value, list):
            out[key] = [fn(key, item) for item in value]
        elif key in SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: fn(key, sub) if isinstance(sub, (dict, bool)) else sub for name, sub in value.items()}
        elif key in SUBSCHEMA_SINGLE and isinstance(value, (dict, bool)):
            out[key] = fn(key, value)
        else:
            out[key] = value
    return out


def inline_refs(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return `schema` with every local `$ref` replaced by its target and `$defs`/`definitions` removed.

    Call only on schemas for which `unsupported_reason` is `None` (refs local, resolvable, not recursive).
    In 2019-09/2020-12 constraints beside a `$ref` still apply (kept through `allOf`); in older drafts they
    are ignored, as those drafts say. Annotation siblings (title, description, default...) are dropped.
    """
    modern = dialect_class(schema) in MODERN_DIALECTS
    return _inline(schema, schema, modern)


def _inline(node: Any, root: Mapping[str, Any], modern: bool) -> Any:
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        target = _inline(resolve_ref(root, node["$ref"]), root, modern)
        rest = {key: value for key, value in node.items() if key != "$ref" and key not in _ANNOTATIONS}
        if not modern or not rest:
            return target
        node = {**rest, "allOf": [target, *rest.get("allOf", [])]}
    out = map_subschemas(node, lambda _, sub: _inline(sub, root, modern))
    out.pop("$defs", None)
    out.pop("definitions", None)
    return out


def resolve_ref(root: Mapping[str, Any], ref: str) -> Any | None:
    """Resolve a document-local `$ref` ("#", "#/$defs/X", "#anchor") against `root`; `None` if not local or missing."""
    if not ref.startswith("#"):
        return None
    if ref[1:] and not ref.startswith("#/"):
        return _anchor(root, unquote(ref[1:]))
    node: Any = root
    for raw in (unquote(ref[1:]).split("/")[1:] if ref != "#" else []):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _anchor(node: Any, name: str) -> Any | None:
    """The subschema declaring ``"$anchor": name`` (2019-09/2020-12 plain-name fragments), or None."""
    if not isinstance(node, dict):
        return None
    if node.get("$anchor") == name:
        return node
    for _, sub in iter_subschemas(node):
        found = _anchor(sub, name)
        if found is not None:
            return found
    return None


def unsupported_reason(schema: Mapping[str, Any]) -> str | None:
    """Say why valid values cannot be generated for `schema`, or `None` when generation is possible.

    Checks what hypothesis-jsonschema cannot do: recursive, remote or anchor `$ref`s, dynamic references,
    and a root that does not allow a JSON object (tool arguments are always an object).
    """
    root_type = schema.get("type", "object")
    if root_type != "object" and not (isinstance(root_type, list) and "object" in root_type):
        return f"inputSchema root type is {root_type!r}; MCP tool arguments must be an object (type: object)"
    return _ref_problem(schema, schema, "#", set(), set())


def _ref_problem(root: Mapping[str, Any], node: Any, where: str, active: set[str], done: set[str]) -> str | None:
    if not isinstance(node, dict):
        return None
    for key in _DYNAMIC:
        if key in node:
            return f"{key} at {where} is not supported by the generator; inline the referenced schema"
    ref = node.get("$ref")
    if isinstance(ref, str) and ref not in done:
        if not ref.startswith("#"):
            return f"$ref {ref!r} at {where} is not a document-local reference; remote refs are never fetched"
        if ref in active:
            return f"recursive $ref {ref!r} at {where}: hypothesis-jsonschema cannot generate recursive schemas"
        target = resolve_ref(root, ref)
        if target is None:
            return f"$ref {ref!r} at {where} does not resolve inside the schema"
        active.add(ref)
        problem = _ref_problem(root, target, ref, active, done)
        active.discard(ref)
        if problem:
            return problem
        done.add(ref)
    for suffix, sub in iter_subschemas(node, definitions=False):
        problem = _ref_problem(root, sub, where + suffix, active, done)
        if problem:
            return problem
    return None


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


def flatten(node: Any) -> dict[str, Any]:
    """Merge an inlined schema's `allOf` parts into one shallow view (properties and required united).

    Used to read constraints, not to validate: where parts disagree the last one wins, and the
    validator remains the judge of what is valid.
    """
    if not isinstance(node, dict):
        return {} if node is True or node is None else {"not": {}}
    out: dict[str, Any] = {}
    for part in [*(flatten(sub) for sub in node.get("allOf", [])), node]:
        for key, value in part.items():
            if key == "properties" and isinstance(value, dict):
                out["properties"] = {**out.get("properties", {}), **value}
            elif key == "required" and isinstance(value, list):
                out["required"] = [*out.get("required", []), *(n for n in value if n not in out.get("required", []))]
            elif key != "allOf":
                out[key] = value
    return out


def allowed_types(node: Any) -> frozenset[str]:
    """Return the JSON types an inlined schema can accept (`integer` included whenever `number` is)."""
    if node is False:
        return frozenset()
    if not isinstance(node, dict):
        return frozenset(JSON_TYPES)
    types = set(JSON_TYPES)
    declared = node.get("type")
    if declared is not None:
        types &= set([declared] if isinstance(declared, str) else declared)
    for key in ("enum", "const"):
        if key in node:
            values = node[key] if key == "enum" and isinstance(node[key], list) else [node[key]]
            types &= {json_type(value) for value in values}
    for key in ("anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            types &= set().union(*(allowed_types(sub) for sub in node[key]))
    for sub in node.get("allOf", []):
        types &= allowed_types(sub)
    if "number" in types:
        types.add("integer")
    return frozenset(types)


def json_type(value: Any) -> str:
    """Return the JSON Schema type name of a JSON value (an integral float counts as `integer`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def non_null(node: Any) -> Any:
    """For the `anyOf: [X, {"type": "null"}]` shape of an optional value, return X merged with the rest."""
    if not isinstance(node, dict):
        return node
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            others = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
            if len(others) == 1 and len(branches) > 1:
                rest = {k: v for k, v in node.items() if k != key}
                return {**rest, "allOf": [*rest.get("allOf", []), others[0]]}
    return node


def python_regex(pattern: str) -> re.Pattern[str] | None:
    """Compile a JSON Schema (ECMA-262) pattern with Python's `re`; `None` when Python cannot read it."""
    try:
        return re.compile(pattern)
    except (re.error, TypeError):
        return None
