"""Hypothesis strategies for valid MCP tool arguments drawn from a tool's `inputSchema`."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, HypothesisWarning, InvalidArgument
from hypothesis_jsonschema import from_schema
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator

from mcptest.fuzz.emptiness import forbidden_required
from mcptest.fuzz.unevaluated import resolve_unevaluated
from mcptest.fuzz.schema import (
    MODERN_DIALECTS,
    UnsupportedSchema,
    canonical_json,
    dialect_class,
    inline_refs,
    input_schema,
    map_subschemas,
    schema_validator,
    unsupported_reason,
)

__all__ = ["CompiledSchema", "compile_schema", "tool_arguments"]

# Formats the validator checks but hypothesis-jsonschema does not generate (or generates slowly: its
# "regex" strategy compiles random fragments and discards most of them).
_EXTRA_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "regex": st.one_of(
        st.sampled_from(("^[a-z]+$", ".*", "[0-9]{3}-[0-9]{4}", "^(foo|bar)?$", "\\d+(\\.\\d+)?")),
        st.text(max_size=20).map(re.escape),
    ),
    "uuid": st.uuids().map(str),
    "duration": st.builds(
        "P{}DT{}H{}M{}S".format, st.integers(0, 999), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)
    ),
}
_DROPPED = ("$schema", "contentSchema", "unevaluatedProperties", "unevaluatedItems")
# Kept under private names hypothesis-jsonschema ignores, for our own array builder (the validator enforces them).
_RENAMED = {"minContains": "x-mcptest-minContains", "maxContains": "x-mcptest-maxContains"}
_OBJECT_KEYWORDS = (
    "properties", "patternProperties", "additionalProperties", "required", "minProperties", "maxProperties",
    "propertyNames", "dependencies", "dependentRequired", "dependentSchemas", "unevaluatedProperties",
)
# Keywords beside which closing an object could forbid properties that another subschema allows.
_OPENERS = ("patternProperties", "additionalProperties", "unevaluatedProperties", "allOf", "anyOf", "oneOf", "not",
            "if", "then", "else", "dependencies", "dependentSchemas")
_PLAIN_POSITIONS = (
    "properties", "patternProperties", "additionalProperties", "items", "additionalItems", "prefixItems",
)
_ANNOTATION_KEYS = frozenset(("type", "title", "description", "default", "examples", "$comment", "deprecated"))
_PLAIN_OBJECT_KEYS = _ANNOTATION_KEYS | {"properties", "required", "additionalProperties"}
_PLAIN_ARRAY_KEYS = _ANNOTATION_KEYS | {"items", "minItems", "maxItems", "uniqueItems"}
_CONTAINS_ARRAY_KEYS = _PLAIN_ARRAY_KEYS | {"contains", "x-mcptest-minContains", "x-mcptest-maxContains"}
_DEPENDENT_SUBSETS = 4
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class CompiledSchema:
    """A tool input schema prepared for fuzzing, cached per schema.

    Attributes:
        schema: The input schema as given (JSON data).
        validator: Validator for the schema's own dialect (2020-12 by default), format-checking.
            `None` only when the schema itself is invalid.
        arguments: Strategy for valid argument objects; `None` when `reason` says why there is none.
        reason: Why valid arguments cannot be generated, or `None`.
    """

    schema: dict[str, Any]
    validator: Validator | None
    arguments: st.SearchStrategy[dict[str, Any]] | None
    reason: str | None


def tool_arguments(tool: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy for valid arguments of `tool`, drawn from its `inputSchema`.

    Every drawn value validates against the schema in its own dialect (JSON Schema 2020-12 unless
    `$schema` says otherwise, formats included) and is JSON-serialisable Unicode. A schema that cannot be
    generated for does not raise here: drawing raises `UnsupportedSchema` with the reason, which a plain
    pytest test reports as a skip.

    Args:
        tool: An `mcp.types.Tool`, a tool dict with `inputSchema`, or the input schema dict itself.

    Returns:
        A Hypothesis strategy of argument dicts, e.g. for `@given(args=tool_arguments(tool))`.

    Example:
        >>> tool = {"name": "add", "inputSchema": {"type": "object", "properties": {"a": {"type": "integer"}}}}
        >>> strategy = tool_arguments(tool)
    """
    compiled = compile_schema(input_schema(tool))
    if compiled.arguments is None:
        return failing_strategy(UnsupportedSchema, compiled.reason or "unsupported schema")
    return compiled.arguments


def compile_schema(schema: dict[str, Any]) -> CompiledSchema:
    """Prepare `schema` for fuzzing (validator, generation strategy or the reason there is none); cached."""
    return _compile(canonical_json(schema))


def failing_strategy(error: type[UnsupportedSchema], reason: str) -> st.SearchStrategy[Any]:
    """Return a strategy whose every draw raises `error(reason)` (deferred, never at definition time)."""

    def fail() -> Any:
        raise error(reason)

    return st.builds(fail)


@lru_cache(maxsize=512)
def _compile(key: str) -> CompiledSchema:
    schema = json.loads(key)
    try:
        validator = schema_validator(schema)
    except UnsupportedSchema as err:
        return CompiledSchema(schema, None, None, err.reason)
    reason = unsupported_reason(schema)
    if reason is not None:
        return CompiledSchema(schema, validator, None, reason)
    generator_schema = _for_generator(schema)
    reason = forbidden_required(generator_schema)
    if reason is not None:
        return CompiledSchema(schema, validator, None, reason)
    with warnings.catch_warnings():  # we replace its "regex" format strategy on purpose
        warnings.simplefilter("ignore", HypothesisWarning)
        raw = _build(generator_schema)
    try:
        empty = raw.is_empty
    except Exception as err:  # hypothesis-jsonschema defers its errors; surface them as the reason
        return CompiledSchema(schema, validator, None, _generator_reason(err))
    if empty:
        reason = "no value satisfies the schema as far as the generator can tell (contradictory constraints?)"
        return CompiledSchema(schema, validator, None, reason)
    strategy = _accepted(raw, _Acceptance(validator))
    return CompiledSchema(schema, validator, strategy, None)


class _Acceptance:
    """The dialect validator as the judge of every draw, which gives up with a typed reason if it never passes.

    A schema whose draws the validator rejects every time (a keyword the generator ignored, such as
    `unevaluatedProperties` beside `anyOf`) would otherwise end in Hypothesis' `Unsatisfiable`.
    """

    GIVE_UP_AFTER = 30

    def __init__(self, validator: Validator) -> None:
        self._validator = validator
        self._seen = 0
        self.accepted = 0

    def __call__(self, value: Any) -> bool:
        if self._validator.is_valid(value):
            self.accepted += 1
            return True
        self._seen += 1
        if self.accepted == 0 and self._seen >= self.GIVE_UP_AFTER:
            error = best_match(self._validator.iter_errors(value))
            detail = f"{error.message[:200]} at {'/'.join(map(str, error.path)) or '(root)'}" if error else "?"
            raise UnsupportedSchema(
                f"none of {self._seen} generated values satisfied the schema (last: {detail}); "
                "it likely combines keywords the generator cannot honour"
            )
        return False


@st.composite
def _accepted(draw: st.DrawFn, raw: st.SearchStrategy[Any], acceptance: _Acceptance) -> Any:
    """Draw from the generator until ``acceptance`` passes, lone surrogates scrubbed.

    Three tries per example (as ``.filter`` does), but until ``acceptance`` gives up while nothing was ever
    accepted, so a generator with a single possible value the validator rejects ends in a typed reason, not in
    Hypothesis' "tried every possible input". Errors of hypothesis-jsonschema for schemas it cannot handle
    become a typed skip. One strategy layer, not three: every layer costs each draw a span.
    """
    tries = 3 if acceptance.accepted else _Acceptance.GIVE_UP_AFTER
    for _ in range(tries):
        try:
            value = _scrub(draw(raw))
        except HypothesisException as err:
            if not isinstance(err, InvalidArgument):
                raise  # Hypothesis control flow (rejections, stop-test): not ours to translate
            raise UnsupportedSchema(_generator_reason(err)) from err
        except Exception as err:  # it raises assorted types (ref errors, asserts, schema errors) for what it lacks
            raise UnsupportedSchema(_generator_reason(err)) from err
        if acceptance(value):
            return value
    reject()


def _generator_reason(err: BaseException) -> str:
    return f"hypothesis-jsonschema cannot generate for this schema ({type(err).__name__}: {err})"


def _for_generator(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite `schema` into the draft-7 form hypothesis-jsonschema handles best, rooted at an object.

    Refs are inlined; 2019-09/2020-12 keywords with a draft-7 twin are translated (`prefixItems` ->
    `items` array + `additionalItems`, `dependentRequired`/`dependentSchemas` -> `dependencies`,
    `unevaluated*` where it means `additional*`); the rest are dropped here and enforced by the dialect
    validator's filter. Objects that declare `properties` and leave extras open are generated without
    undeclared properties: still valid, and an order of magnitude faster to draw and shrink.
    """
    out = inline_refs(schema)
    if dialect_class(schema) in MODERN_DIALECTS:
        out = _translate(out)
    out.pop("$schema", None)
    out["type"] = "object"
    return _close(out, closable=True)


def _build(node: Any) -> st.SearchStrategy[Any]:
    """Build plain objects and arrays ourselves (compiled once), hand everything else to hypothesis-jsonschema.

    hypothesis-jsonschema rebuilds the strategies of an object's properties on every draw; composing
    `fixed_dictionaries`/`lists` of prebuilt strategies is several times faster and shrinks the same way.
    """
    closed = node.get("additionalProperties") is False if isinstance(node, dict) else False
    if _is_plain(node, "object", _PLAIN_OBJECT_KEYS) and closed and isinstance(node.get("properties"), dict):
        required = set(node.get("required", []))
        if required <= set(node["properties"]):
            built = {name: _build(sub) for name, sub in node["properties"].items()}
            return st.fixed_dictionaries(
                {name: built[name] for name in built if name in required},
                optional={name: built[name] for name in built if name not in required},
            )
    if _is_plain(node, "array", _CONTAINS_ARRAY_KEYS) and "contains" in node:
        return _contains_array(node)
    if _is_plain(node, "array", _PLAIN_ARRAY_KEYS) and isinstance(node.get("items", {}), (dict, bool)):
        items = _build(node.get("items", {}))
        low, high = node.get("minItems", 0), node.get("maxItems")
        if items.is_empty:
            return st.just([]) if low == 0 else st.nothing()
        unique = canonical_json if node.get("uniqueItems") else None
        return st.lists(items, min_size=low, max_size=high, unique_by=unique)
    return from_schema(node, custom_formats=_EXTRA_FORMATS, codec=None)  # _scrub keeps values UTF-8-encodable


def _contains_array(node: dict[str, Any]) -> st.SearchStrategy[list[Any]]:
    """An array with `contains` and `minContains`/`maxContains`: so many matching items, the rest not matching."""
    items = node.get("items", {})
    low = node.get("x-mcptest-minContains", 1)
    high = node.get("x-mcptest-maxContains")
    size = node.get("maxItems")
    matching = _build({"allOf": [items, node["contains"]]})
    other = _build({"allOf": [items, {"not": node["contains"]}]})
    hits = st.lists(matching, min_size=low, max_size=min(x for x in (high, size, low + 5) if x is not None))
    rest = st.lists(other, min_size=max(0, node.get("minItems", 0) - low), max_size=5)
    return st.tuples(hits, rest, st.randoms(use_true_random=False)).map(_interleave)


def _interleave(parts: tuple[list[Any], list[Any], Any]) -> list[Any]:
    hits, rest, random = parts
    merged = hits + rest
    random.shuffle(merged)
    return merged


def _is_plain(node: Any, kind: str, allowed: frozenset[str]) -> bool:
    return isinstance(node, dict) and node.get("type") == kind and all(key in allowed for key in node)


def _translate(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = resolve_unevaluated(node)
    kept = {_RENAMED.get(key, key): value for key, value in node.items() if key not in _DROPPED}
    out = map_subschemas(kept, lambda _, sub: _translate(sub))
    if "prefixItems" in out:
        prefix = out.pop("prefixItems")
        if "items" in out:
            out["additionalItems"] = out.pop("items")
        out["items"] = prefix
    dependent = out.pop("dependentRequired", {})
    if dependent:
        out["dependencies"] = {**out.get("dependencies", {}), **dependent}
    dependent_schemas = out.pop("dependentSchemas", {})
    return _dependent_branches(out, dependent_schemas) if dependent_schemas else out


def _dependent_branches(rest: dict[str, Any], dependent: dict[str, Any]) -> dict[str, Any]:
    """`dependentSchemas` as one branch per set of present trigger names, each merged with its schemas.

    A branch says which triggers are present (required) and which absent (``false``), and carries the schemas of
    the present ones in an ``allOf`` the generator merges into the properties it draws; a ``dependencies``
    schema would only filter draws, which rarely pass. Up to ``_DEPENDENT_SUBSETS`` triggers get every subset;
    beyond that, none, each one alone, and all of them.
    """
    names = sorted(dependent)
    if len(names) <= _DEPENDENT_SUBSETS:
        subsets = [[n for bit, n in enumerate(names) if mask >> bit & 1] for mask in range(1 << len(names))]
    else:
        subsets = [[], *([n] for n in names), names]
    branches = []
    for present in subsets:
        branch: dict[str, Any] = {"allOf": [rest, *(dependent[n] for n in present)]}
        if present:
            branch["required"] = present
        absent = [n for n in names if n not in present]
        if absent:
            branch["properties"] = {n: False for n in absent}
        branches.append(branch)
    return {"type": "object", "anyOf": branches} if "type" in rest else {"anyOf": branches}


def _close(node: Any, *, closable: bool) -> Any:
    """Forbid undeclared properties (generation only) where no other subschema could allow or need them."""
    if not isinstance(node, dict):
        return node

    def child(keyword: str, sub: Any) -> Any:
        if keyword in ("anyOf", "oneOf"):  # a branch alone decides the names when nothing beside it does
            beside = [key for key in (*_OBJECT_KEYWORDS, *_OPENERS) if key in node and key != keyword]
            return _close(sub, closable=closable and not beside)
        return _close(sub, closable=keyword in _PLAIN_POSITIONS)

    out = map_subschemas(node, child)
    declared = out.get("properties")
    if (
        closable
        and isinstance(declared, dict)
        and not any(key in out for key in _OPENERS)
        and set(out.get("required", [])) <= set(declared)
        and out.get("minProperties", 0) <= len(declared)
    ):
        out["additionalProperties"] = False
    return out


def _scrub(value: Any) -> Any:
    """Replace lone surrogates (not encodable as UTF-8, so not sendable as JSON text) with U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value
