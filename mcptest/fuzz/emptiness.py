"""Contradictions the generator cannot see: a required property that every way to satisfy the schema forbids."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["forbidden_required"]

_BRANCHING = ("anyOf", "oneOf")


def forbidden_required(schema: dict[str, Any]) -> str | None:
    """Why no object satisfies ``schema`` (an inlined, generator-ready schema), or None when nothing says so.

    An object must hold every name some part requires, and a part whose ``additionalProperties`` is false (or
    whose ``properties`` map a name to false) forbids names it does not declare. When, in every branch of the
    root's ``anyOf``/``oneOf`` (or in the root alone), a required name is forbidden, the schema is unsatisfiable,
    typically ``unevaluatedProperties: false`` closing a branch that does not declare a name required beside it.
    Any other contradiction is left to the generator and the validator filter.
    """
    rest = {key: value for key, value in schema.items() if key not in _BRANCHING}
    alternatives = [[*_parts(rest)]]
    for key in _BRANCHING:
        if isinstance(schema.get(key), list):
            alternatives = [[*parts, *_parts(branch)] for parts in alternatives for branch in schema[key]]
    problems = [_problem(parts) for parts in alternatives]
    if not problems or any(problem is None for problem in problems):
        return None
    where = "every branch of the root's anyOf/oneOf" if len(problems) > 1 else "the schema"
    return f"no object satisfies {where}: {problems[0]}"


def _parts(node: Any) -> list[dict[str, Any]]:
    """``node`` and its ``allOf`` parts, recursively (each constrains the same object)."""
    if node is False:
        return [{"not": {}}]
    if not isinstance(node, dict):
        return []
    found = [node]
    for part in node.get("allOf", []) if isinstance(node.get("allOf"), list) else []:
        found += _parts(part)
    return found


def _problem(parts: list[dict[str, Any]]) -> str | None:
    required = [name for part in parts for name in part.get("required", []) if isinstance(name, str)]
    for name in dict.fromkeys(required):
        for part in parts:
            if _forbids(part, name):
                return (f"property {name!r} is required, but a subschema forbids it (it is neither declared "
                        "nor matched where additional properties are false)")
    return None


def _forbids(part: dict[str, Any], name: str) -> bool:
    if part.get("not") == {}:
        return True
    properties = part.get("properties") if isinstance(part.get("properties"), dict) else {}
    if name in properties:
        return properties[name] is False
    patterns = part.get("patternProperties") if isinstance(part.get("patternProperties"), dict) else {}
    matched = [sub for pattern, sub in patterns.items() if _matches(pattern, name)]
    if matched:
        return any(sub is False for sub in matched)
    return part.get("additionalProperties") is False


def _matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True  # unreadable here: assume it may allow the name (the validator has the last word)
