"""Hypothesis strategies for invalid MCP tool arguments: schema-derived mutations of valid arguments."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import jsonschema
from hypothesis import reject
from hypothesis import strategies as st
from jsonschema.protocols import Validator

from mcptest.fuzz.schema import (
    NoInvalidArguments,
    UnsupportedSchema,
    allowed_types,
    canonical_json,
    flatten,
    inline_refs,
    input_schema,
    non_null,
    python_regex,
)
from mcptest.fuzz.strategies import compile_schema, failing_strategy

__all__ = ["Mutation", "invalid_tool_arguments"]

Key = str | int
Path = tuple[Key, ...]
Candidate = tuple[Any, str]

_MAX_DEPTH = 4
_MAX_SIZE = 100_000  # longest string / array a length mutation builds
_EXTRA_NAMES = ("zzz", "zzz_mcptest_extra", "__mcptest_extra__")
_WRONG_SAMPLES: tuple[tuple[str, Any], ...] = (
    ("string", "mcptest"), ("integer", 42), ("number", 1.5), ("boolean", True), ("null", None),
    ("array", []), ("object", {}),
)
_PATTERN_MISSES = ("", "!", "\u0000", " mcptest \u2603 ")
_NAME_SAMPLES = ("", "0", "!", "Mcptest Name", "mcptest-" + "x" * 70, "\u2603")


@dataclass(frozen=True)
class Mutation:
    """Tool arguments made invalid on purpose, and what was broken.

    Attributes:
        arguments: The invalid arguments object (JSON data), e.g. `{"age": "mcptest"}`.
        description: What was broken, e.g. `"'age': wrong type string for integer"`.
        kind: A stable category: missing-required, wrong-type, coercible-type (a boolean for a number: invalid,
            but lax validators such as pydantic's default mode accept it, so a runner may rate it lower), enum,
            const, range, multiple-of, length, pattern, format, items-count, unique-items, additional-property,
            unevaluated-property, property-names, properties-count, dependency (dependentRequired or the
            `required` of dependentSchemas), extra-items (past prefixItems with items/unevaluatedItems false),
            contains (fewer matches than minContains, more than maxContains).
    """

    arguments: dict[str, Any]
    description: str
    kind: str


@dataclass(frozen=True)
class _Site:
    """One way to break the arguments: rewrite the container (object or array) found at `path`."""

    path: Path
    container: type
    kind: str
    candidates: Callable[[Any], list[Candidate]]


def invalid_tool_arguments(tool: Any) -> st.SearchStrategy[Mutation]:
    """Return a strategy for invalid arguments of `tool`: a valid draw with one schema constraint broken.

    Mutations remove a required property, give a property a wrong type, step outside `minimum`/`maximum`,
    an `enum`, a `const`, length, item-count or pattern limits, or add a property `additionalProperties:
    false` forbids, at any depth. Every drawn mutation is checked to be invalid by the schema's validator
    (candidates that happen to stay valid are discarded). Nothing raises here: if valid arguments cannot
    be generated drawing raises `UnsupportedSchema`, and if the schema accepts every object (nothing to
    violate, e.g. `{"type": "object"}`) drawing raises `NoInvalidArguments`; both are reported as skips.

    Args:
        tool: An `mcp.types.Tool`, a tool dict with `inputSchema`, or the input schema dict itself.

    Returns:
        A Hypothesis strategy of `Mutation`s.
    """
    return _strategy(canonical_json(input_schema(tool)))


@lru_cache(maxsize=512)
def _strategy(key: str) -> st.SearchStrategy[Mutation]:
    compiled = compile_schema(json.loads(key))
    if compiled.arguments is None or compiled.validator is None:
        return failing_strategy(UnsupportedSchema, compiled.reason or "unsupported schema")
    checker = compiled.validator.format_checker
    formats = frozenset(checker.checkers) if checker is not None else frozenset()
    sites = _object_sites(inline_refs(compiled.schema), (), 0, formats)
    if not sites:
        reason = "the schema accepts every JSON object: there is no constraint for an invalid argument to violate"
        return failing_strategy(NoInvalidArguments, reason)
    return _mutations(compiled.arguments, tuple(sites), compiled.validator)


@st.composite
def _mutations(draw: st.DrawFn, valid: st.SearchStrategy[dict[str, Any]], sites: tuple[_Site, ...],
               validator: Validator) -> Mutation:
    """Draw valid arguments, then apply the first site (from a drawn start) whose candidate really is invalid."""
    # Choices first, then the arguments: Hypothesis spreads leading choices far more evenly.
    start = draw(st.sampled_from(range(len(sites))))
    pick = draw(st.integers(0, 719))  # 720 divides evenly by every small candidate count
    arguments = draw(valid)
    for site in sites[start:] + sites[:start]:
        container = _get(arguments, site.path)
        if not isinstance(container, site.container):
            continue
        candidates = site.candidates(container)
        offset = pick % len(candidates) if candidates else 0
        for new, description in candidates[offset:] + candidates[:offset]:
            mutated = _put(arguments, site.path, new)
            if _is_json(mutated) and not validator.is_valid(mutated):
                return Mutation(mutated, description, site.kind)
    reject()


def _object_sites(node: Any, path: Path, depth: int, formats: frozenset[str]) -> list[_Site]:
    view = flatten(non_null(node))
    properties = view.get("properties", {}) if isinstance(view.get("properties"), dict) else {}
    required = [name for name in view.get("required", []) if isinstance(name, str)]
    sites = [_Site(path, dict, "missing-required", partial(_without, name, _label(path, name))) for name in required]
    extra = view.get("additionalProperties", view.get("unevaluatedProperties", True))
    kind = "additional-property" if "additionalProperties" in view else "unevaluated-property"
    if extra is False or (isinstance(extra, dict) and len(allowed_types(extra)) < len(_WRONG_SAMPLES)):
        sites.append(_Site(path, dict, kind, partial(_add_extra, view, extra, path)))
    if isinstance(view.get("propertyNames"), (dict, bool)):
        sites.append(_Site(path, dict, "property-names", partial(_bad_name, view["propertyNames"], path)))
    if isinstance(view.get("maxProperties"), int) and view["maxProperties"] < 100:
        sites.append(_Site(path, dict, "properties-count", partial(_too_many_properties, view["maxProperties"])))
    if isinstance(view.get("minProperties"), int) and view["minProperties"] > 0:
        sites.append(_Site(path, dict, "properties-count", partial(_too_few_properties, view["minProperties"])))
    dependent = view.get("dependentSchemas", {}) if isinstance(view.get("dependentSchemas"), dict) else {}
    dependencies = {**view.get("dependencies", {}), **view.get("dependentRequired", {}),
                    **{k: sub["required"] for k, sub in dependent.items()
                       if isinstance(sub, dict) and "required" in sub}}
    for trigger, needed in dependencies.items():
        if isinstance(needed, list):
            sites.append(_Site(path, dict, "dependency", partial(_drop_dependency, trigger, needed, path)))
    for name, sub in properties.items():
        sites.extend(_value_sites(sub, path, name, depth, formats))
    for key in ("anyOf", "oneOf"):  # names a branch declares: the validator keeps only candidates really invalid
        for branch in view.get(key, []) if isinstance(view.get(key), list) else []:
            declared = flatten(branch).get("properties", {})
            for name, sub in declared.items() if isinstance(declared, dict) else ():
                if name not in properties:
                    sites.extend(_value_sites(sub, path, name, depth, formats))
    return sites


def _value_sites(node: Any, path: Path, key: Key, depth: int, formats: frozenset[str]) -> list[_Site]:
    """Sites that put a bad value at `key` of the container at `path` (an array when `key` is an index)."""
    container = dict if isinstance(key, str) else list
    label = _label(path, key)
    types = allowed_types(node)
    view = flatten(non_null(node))
    if view.get("format") not in formats:
        view.pop("format", None)  # a format nobody checks cannot be violated
    sites = []
    for kind, make in _VALUE_RULES:
        if _rule_applies(kind, make, view, types, label):
            sites.append(_Site(path, container, kind, partial(_bad_values, key, make, view, types, label)))
    if depth >= _MAX_DEPTH:
        return sites
    inner = (*path, key)
    if "object" in types and any(k in view for k in ("properties", "required", "additionalProperties")):
        sites.extend(_object_sites(node, inner, depth + 1, formats))
    if "array" in types:
        prefix = view.get("prefixItems", view.get("items") if isinstance(view.get("items"), list) else [])
        subs = list(enumerate(prefix)) if isinstance(prefix, list) else []
        rest = view.get("items") if "prefixItems" in view else view.get("items", view.get("additionalItems"))
        if isinstance(rest, dict):
            subs.append((len(subs), rest))  # the first position after the prefix
        for index, sub in subs:
            sites.extend(_value_sites(sub, inner, index, depth + 1, formats))
    return sites


def _rule_applies(kind: str, make: Callable[..., list[Candidate]], view: dict[str, Any], types: frozenset[str],
                  label: str) -> bool:
    """Whether a rule can ever produce a candidate; array rules depend on the drawn array, so check keywords."""
    if kind == "unique-items":
        return "array" in types and view.get("uniqueItems") is True
    if kind == "extra-items":
        return "array" in types and isinstance(view.get("prefixItems"), list) and _closed_after_prefix(view)
    if kind == "contains":
        return "array" in types and isinstance(view.get("contains"), (dict, bool))
    if kind == "items-count":
        return "array" in types and (isinstance(view.get("maxItems"), int) or (view.get("minItems") or 0) > 0)
    return bool(make(view, types, None, label))


def _bad_values(key: Key, make: Callable[..., list[Candidate]], view: dict[str, Any], types: frozenset[str],
                label: str, container: Any) -> list[Candidate]:
    if isinstance(key, int) and not 0 <= key < len(container):
        return []
    existing = _index(container, key)
    return [(_with(container, key, value), description) for value, description in make(view, types, existing, label)]


def _wrong_type_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    return [(sample, f"{label}: wrong type {name} for {_type_names(types)}") for name, sample in _WRONG_SAMPLES
            if name not in types and not (name == "integer" and "number" in types)
            and not (name == "boolean" and "integer" in types)]


def _coercible_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if "integer" not in types or "boolean" in types:
        return []
    return [(True, f"{label}: wrong type boolean for {_type_names(types)} (lax validators such as pydantic coerce it)")]


def _enum_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if not isinstance(view.get("enum"), list):
        return []
    members = view["enum"]
    numbers = [m for m in members if isinstance(m, (int, float)) and not isinstance(m, bool)]
    candidates = ["mcptest-not-in-enum", *([max(numbers) + 1] if numbers else []), None, False]
    return [(value, f"{label}: value {_json(value)} outside enum {_json(members)}")
            for value in candidates if value not in members]


def _const_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if "const" not in view:
        return []
    const = view["const"]
    if isinstance(const, str):
        other: Any = const + "-mcptest"
    elif isinstance(const, bool) or const is None:
        other = not const
    elif isinstance(const, (int, float)):
        other = const + 1
    else:
        other = "mcptest"
    return [(other, f"{label}: value {_json(other)} differs from const {_json(const)}")]


def _range_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if "number" not in types and "integer" not in types:
        return []
    integral = "number" not in types
    out: list[Candidate] = []

    def add(value: float, what: str, bound: Any) -> None:
        out.append((value, f"{label} {what} {bound}"))

    low, high = _number(view.get("minimum")), _number(view.get("maximum"))
    xlow, xhigh = _number(view.get("exclusiveMinimum")), _number(view.get("exclusiveMaximum"))
    if low is not None:
        add(math.floor(low) - 1 if integral else low - _step(low), "below minimum", low)
        if view.get("exclusiveMinimum") is True:  # draft-04 boolean form
            add(low, "not above exclusive minimum", low)
    if high is not None:
        add(math.floor(high) + 1 if integral else high + _step(high), "above maximum", high)
        if view.get("exclusiveMaximum") is True:
            add(high, "not below exclusive maximum", high)
    if xlow is not None:
        add(math.floor(xlow) if integral else xlow, "not above exclusiveMinimum", xlow)
    if xhigh is not None:
        add(math.ceil(xhigh) if integral else xhigh, "not below exclusiveMaximum", xhigh)
    return out


def _multiple_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    factor = _number(view.get("multipleOf"))
    if factor is None or factor <= 0 or not ({"number", "integer"} & types):
        return []
    integral = "number" not in types
    if integral and not (float(factor).is_integer() and factor > 1):
        return []  # every integer is a multiple of 1 (or of 0.5...): no integer breaks it
    value = int(factor) + 1 if integral else factor * 1.5
    return [(value, f"{label}: {value} is not a multiple of {factor}")]


def _length_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if "string" not in types:
        return []
    out: list[Candidate] = []
    low, high = view.get("minLength"), view.get("maxLength")
    if isinstance(low, int) and 0 < low <= _MAX_SIZE:
        out.append(("x" * (low - 1), f"{label} shorter than minLength {low}"))
    if isinstance(high, int) and high < _MAX_SIZE:
        out.append(("x" * (high + 1), f"{label} longer than maxLength {high}"))
    return out


def _pattern_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if "string" not in types or not isinstance(view.get("pattern"), str):
        return []
    pattern = python_regex(view["pattern"])
    if pattern is None:
        return []
    return [(miss, f"{label}: {_json(miss)} does not match pattern {view['pattern']!r}")
            for miss in _PATTERN_MISSES if not pattern.search(miss)]


def _format_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    fmt = view.get("format")
    if "string" not in types or not isinstance(fmt, str):
        return []
    return [(bad, f"{label}: {_json(bad)} is not a valid {fmt}") for bad in (f"not a valid {fmt}!", "(")]


def _count_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if "array" not in types or not isinstance(existing, list):
        return []
    out: list[Candidate] = []
    low, high = view.get("minItems"), view.get("maxItems")
    if isinstance(low, int) and 0 < low <= len(existing):
        out.append((existing[: low - 1], f"{label} has fewer than minItems {low} items"))
    if isinstance(high, int) and high < _MAX_SIZE:
        filler = existing or [None]
        out.append(([filler[i % len(filler)] for i in range(high + 1)], f"{label} has more than maxItems {high} items"))
    return out


def _unique_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    if view.get("uniqueItems") is not True or not isinstance(existing, list) or not existing:
        return []
    return [([*existing, existing[0]], f"{label} has duplicate items despite uniqueItems")]


def _closed_after_prefix(view: dict[str, Any]) -> bool:
    return view.get("items", view.get("unevaluatedItems")) is False


def _extra_item_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    prefix = view.get("prefixItems")
    if not isinstance(prefix, list) or not isinstance(existing, list) or not _closed_after_prefix(view):
        return []
    grown = existing + [None] * (len(prefix) + 1 - len(existing))
    keyword = "items" if "items" in view else "unevaluatedItems"
    return [(grown, f"{label} has {len(grown)} items; {keyword}: false allows only the {len(prefix)} prefixItems")]


def _contains_values(view: dict[str, Any], types: frozenset[str], existing: Any, label: str) -> list[Candidate]:
    contains = view.get("contains")
    if not isinstance(existing, list) or not isinstance(contains, (dict, bool)):
        return []
    matches = _sub_validator(contains).is_valid
    hits = [item for item in existing if matches(item)]
    low, high = view.get("minContains", 1), view.get("maxContains")
    out: list[Candidate] = []
    if isinstance(low, int) and low > 0 and hits:
        kept = [item for item in existing if not matches(item)] + hits[: low - 1]
        out.append((kept, f"{label} has {min(len(hits), low - 1)} items matching contains, fewer than {low}"))
    if isinstance(high, int) and hits and high < _MAX_SIZE:
        grown = existing + [hits[0]] * (high + 1 - len(hits))
        out.append((grown, f"{label} has {high + 1} items matching contains, more than maxContains {high}"))
    return out


_VALUE_RULES: tuple[tuple[str, Callable[..., list[Candidate]]], ...] = (
    ("wrong-type", _wrong_type_values), ("coercible-type", _coercible_values),
    ("enum", _enum_values), ("const", _const_values), ("range", _range_values),
    ("multiple-of", _multiple_values), ("length", _length_values), ("pattern", _pattern_values),
    ("format", _format_values), ("items-count", _count_values), ("unique-items", _unique_values),
    ("extra-items", _extra_item_values), ("contains", _contains_values),
)


def _without(name: str, label: str, obj: dict[str, Any]) -> list[Candidate]:
    if name not in obj:
        return []
    return [({k: v for k, v in obj.items() if k != name}, f"removed required property {label}")]


def _add_extra(view: dict[str, Any], extra: Any, path: Path, obj: dict[str, Any]) -> list[Candidate]:
    declared = set(view.get("properties", {})) | set(obj)
    patterns = [p for p in map(python_regex, view.get("patternProperties", {})) if p is not None]
    name = next((n for n in _EXTRA_NAMES if n not in declared and not any(p.search(n) for p in patterns)), None)
    if name is None:
        return []
    if extra is False:
        return [({**obj, name: "x"}, f"extra property {_label(path, name)} with additionalProperties: false")]
    types = allowed_types(extra)
    label, allowed = _label(path, name), _type_names(types)
    return [({**obj, name: sample}, f"extra property {label} of wrong type {kind} for additionalProperties {allowed}")
            for kind, sample in _WRONG_SAMPLES if kind not in types]


def _bad_name(names: Any, path: Path, obj: dict[str, Any]) -> list[Candidate]:
    allowed = _sub_validator(names).is_valid
    value = next(iter(obj.values()), "x")
    return [({**obj, name: value}, f"property name {_json(name)} at {_label(path, name)} violates propertyNames")
            for name in _NAME_SAMPLES if name not in obj and not allowed(name)][:2]


def _too_many_properties(limit: int, obj: dict[str, Any]) -> list[Candidate]:
    grown = dict(obj)
    for index in range(limit + 1 - len(obj)):
        grown[f"zzz{index}"] = None
    return [(grown, f"more than maxProperties {limit} properties")]


def _too_few_properties(limit: int, obj: dict[str, Any]) -> list[Candidate]:
    return [(dict(list(obj.items())[: limit - 1]), f"fewer than minProperties {limit} properties")]


def _drop_dependency(trigger: str, needed: list[str], path: Path, obj: dict[str, Any]) -> list[Candidate]:
    if trigger not in obj:
        return []
    return [({k: v for k, v in obj.items() if k != name},
             f"removed {_label(path, name)}, required when {_label(path, trigger)} is present")
            for name in needed if name in obj]


@lru_cache(maxsize=256)
def _sub_validator_cached(key: str) -> Validator:
    schema = json.loads(key)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _sub_validator(schema: Any) -> Validator:
    """A 2020-12 validator of an (inlined) subschema, to tell which values or names it accepts."""
    return _sub_validator_cached(canonical_json(schema))


def _with(container: Any, key: Key, value: Any) -> Any:
    if isinstance(container, dict):
        return {**container, key: value}
    return [value if index == key else item for index, item in enumerate(container)]


def _get(arguments: Any, path: Path) -> Any:
    node = arguments
    for key in path:
        if isinstance(key, str) and isinstance(node, dict):
            node = node.get(key)
        elif isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
        else:
            return None
    return node


def _put(arguments: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    return _with(arguments, head, _put(_index(arguments, head), rest, value))


def _index(container: Any, key: Key) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    return container[key] if isinstance(key, int) and 0 <= key < len(container) else None


def _label(path: Path, key: Key) -> str:
    text = ""
    for part in (*path, key):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return f"'{text}'"


def _type_names(types: frozenset[str]) -> str:
    names = [name for name, _ in _WRONG_SAMPLES if name in types and not (name == "integer" and "number" in types)]
    return " or ".join(names) or "nothing"


def _json(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _step(value: float) -> float:
    return max(1.0, abs(value) * 1e-9)


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError):
        return False
    return True
