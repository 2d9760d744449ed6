"""2020-12 `unevaluatedProperties`/`unevaluatedItems` rewritten, for generation, into keywords draft-7 knows.

`unevaluated*` depends on what the other keywords of a schema evaluated while validating an instance. For
generation we need a schema whose every value is valid (not one equivalent to the original): each rewrite below
only ever narrows. The names (or item positions) certainly evaluated when a subschema validates are those of its
own `properties`/`patternProperties` (`prefixItems`), of its `allOf` parts, recursively; `anyOf`/`oneOf` and
`if`/`then`/`else` are split into branches, each closed over what it evaluates itself. Names that only a nested
applicator, `dependentSchemas` or `contains` would evaluate are not counted: the generator never adds them as
extras, and the dialect validator still judges every draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["resolve_unevaluated"]

_BRANCHING = ("anyOf", "oneOf")


@dataclass
class _Evaluated:
    """What a subschema certainly evaluates whenever it validates."""

    names: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)
    prefix: int = 0
    everything: bool = False  # additionalProperties / items present: every name or position is evaluated

    def add(self, other: _Evaluated) -> None:
        self.names |= other.names
        self.patterns |= other.patterns
        self.prefix = max(self.prefix, other.prefix)
        self.everything |= other.everything


def resolve_unevaluated(node: dict[str, Any]) -> dict[str, Any]:
    """Return ``node`` without `unevaluatedProperties`/`unevaluatedItems` at its own level.

    Each is either turned into `additionalProperties`/`items` beside declared names, pushed into the branches
    of one `anyOf`/`oneOf`/`if` (where the branches' own level is resolved when they are translated in turn),
    or, where several applicators compete, left to the validator filter (dropped here).
    """
    if "unevaluatedProperties" in node:
        node = _resolve(node, "unevaluatedProperties", _properties_closure, _names)
    if "unevaluatedItems" in node:
        node = _resolve(node, "unevaluatedItems", _items_closure, _positions)
    return node


def _resolve(node: dict[str, Any], keyword: str, closure: Any, evaluated: Any) -> dict[str, Any]:
    rest = {key: value for key, value in node.items() if key != keyword}
    closing = node[keyword]
    seen: _Evaluated = evaluated(rest)
    if seen.everything or closing is True or closing == {}:
        return rest
    branching = [key for key in _BRANCHING if key in rest] + (["if"] if "if" in rest else [])
    if len(branching) > 1:
        return rest  # more than one applicator decides: the validator filter enforces the keyword
    if not branching:
        return closure(rest, seen, closing)
    if branching[0] == "if":
        condition = rest.pop("if")
        then, otherwise = rest.pop("then", {}), rest.pop("else", {})
        branches = [{"allOf": [condition, then]}, {"allOf": [otherwise], "not": condition}]
        key = "anyOf"
    else:
        key = branching[0]
        branches = rest.pop(key)
    closed = []
    for branch in branches:
        both = _Evaluated()
        both.add(seen)
        both.add(evaluated(branch))
        closed.append(branch if both.everything else closure({"allOf": [branch]}, both, closing))
    return {**rest, key: closed}


def _properties_closure(node: dict[str, Any], seen: _Evaluated, closing: Any) -> dict[str, Any]:
    """Declare every evaluated name beside ``additionalProperties: closing`` (draft-7 reads them together)."""
    out = dict(node)
    if seen.names:
        out["properties"] = {**{name: {} for name in sorted(seen.names)}, **node.get("properties", {})}
    if seen.patterns:
        out["patternProperties"] = {**{p: {} for p in sorted(seen.patterns)}, **node.get("patternProperties", {})}
    out["additionalProperties"] = closing
    return out


def _items_closure(node: dict[str, Any], seen: _Evaluated, closing: Any) -> dict[str, Any]:
    """Pad ``prefixItems`` to the evaluated prefix and let ``items: closing`` govern the positions after it."""
    out = dict(node)
    prefix = list(node.get("prefixItems", []))
    out["prefixItems"] = prefix + [{}] * (seen.prefix - len(prefix))
    out["items"] = closing
    if not out["prefixItems"]:
        del out["prefixItems"]
    return out


def _names(node: Any) -> _Evaluated:
    return _collect(node, _own_names, ("additionalProperties", "unevaluatedProperties"))


def _positions(node: Any) -> _Evaluated:
    return _collect(node, _own_positions, ("items", "unevaluatedItems"))


def _collect(node: Any, own: Callable[[dict[str, Any], _Evaluated], None], closers: tuple[str, str]) -> _Evaluated:
    """What ``node`` and its ``allOf`` parts certainly evaluate: ``own`` reads one level, ``closers`` (the
    keywords that evaluate everything left) make it all."""
    seen = _Evaluated()
    if not isinstance(node, dict):
        return seen  # a boolean schema evaluates nothing
    own(node, seen)
    seen.everything = any(key in node for key in closers)
    for part in node.get("allOf", []) if isinstance(node.get("allOf"), list) else []:
        seen.add(_collect(part, own, closers))
    return seen


def _own_names(node: dict[str, Any], seen: _Evaluated) -> None:
    if isinstance(node.get("properties"), dict):
        seen.names |= set(node["properties"])
    if isinstance(node.get("patternProperties"), dict):
        seen.patterns |= set(node["patternProperties"])


def _own_positions(node: dict[str, Any], seen: _Evaluated) -> None:
    if isinstance(node.get("prefixItems"), list):
        seen.prefix = len(node["prefixItems"])
