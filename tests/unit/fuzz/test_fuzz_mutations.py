"""Each kind of mutation breaks exactly what its description says, at any depth."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

from mcptest.fuzz import Mutation, NoInvalidArguments, invalid_tool_arguments

_RUNS: dict[str, list[Mutation]] = {}
SEARCH = settings(max_examples=150, derandomize=True, database=None, deadline=None)


def _schema(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], **extra}


def _drawn(schema: dict[str, Any]) -> list[Mutation]:
    """The mutations a deterministic run of 150 examples draws for `schema` (one run per schema)."""
    key = json.dumps(schema, sort_keys=True)
    if key in _RUNS:
        return _RUNS[key]
    drawn = _RUNS.setdefault(key, [])

    @SEARCH
    @given(invalid_tool_arguments(schema))
    def collect(mutation: Mutation) -> None:
        drawn.append(mutation)

    collect()
    return drawn


def _first(schema: dict[str, Any], kind: str, contains: str = "") -> Mutation:
    """The first drawn mutation of `kind` whose description contains `contains`."""
    found = [m for m in _drawn(schema) if m.kind == kind and contains in m.description]
    assert found, f"no {kind} mutation mentioning {contains!r} in 150 draws"
    return found[0]


def test_removing_a_required_property() -> None:
    mutation = _first(_schema({"email": {"type": "string"}, "name": {"type": "string"}}, ["email"]), "missing-required")
    assert mutation.description == "removed required property 'email'"
    assert "email" not in mutation.arguments


def test_wrong_type_names_the_type_given_and_the_type_expected() -> None:
    mutation = _first(_schema({"age": {"type": "integer"}}, ["age"]), "wrong-type", "string")
    assert mutation.description == "'age': wrong type string for integer"
    assert mutation.arguments["age"] == "mcptest"


def test_a_boolean_for_a_number_is_its_own_kind_because_lax_validators_accept_it() -> None:
    mutation = _first(_schema({"count": {"type": "integer"}}, ["count"]), "coercible-type")
    assert mutation.arguments["count"] is True
    assert "pydantic" in mutation.description


def test_numbers_outside_the_range() -> None:
    schema = _schema({"count": {"type": "integer", "minimum": 1, "maximum": 10}}, ["count"])
    above = _first(schema, "range", "above")
    assert above.description == "'count' above maximum 10"
    assert above.arguments["count"] == 11
    assert _first(schema, "range", "below").arguments["count"] == 0


def test_exclusive_bounds_are_violated_at_the_bound() -> None:
    schema = _schema({"ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}}, ["ratio"])
    assert _first(schema, "range", "exclusiveMinimum").arguments["ratio"] == 0
    assert _first(schema, "range", "exclusiveMaximum").arguments["ratio"] == 1


def test_multiple_of() -> None:
    mutation = _first(_schema({"minutes": {"type": "integer", "multipleOf": 15}}, ["minutes"]), "multiple-of")
    assert mutation.arguments["minutes"] % 15 != 0


def test_value_outside_enum_and_const() -> None:
    schema = _schema({"color": {"enum": ["red", "green"]}, "kind": {"const": "circle"}}, ["color", "kind"])
    outside = _first(schema, "enum")
    assert outside.arguments["color"] not in ("red", "green")
    assert "outside enum" in outside.description
    assert _first(schema, "const").arguments["kind"] != "circle"


def test_extra_property_where_additional_properties_is_false() -> None:
    mutation = _first(_schema({"a": {"type": "string"}}, additionalProperties=False), "additional-property")
    assert mutation.description == "extra property 'zzz' with additionalProperties: false"
    assert "zzz" in mutation.arguments


def test_string_lengths_and_patterns() -> None:
    schema = _schema({"code": {"type": "string", "minLength": 3, "maxLength": 5, "pattern": "^[A-Z]+$"}}, ["code"])
    assert _first(schema, "length", "shorter").arguments["code"] == "xx"
    assert _first(schema, "length", "longer").description == "'code' longer than maxLength 5"
    assert _first(schema, "pattern").description.startswith("'code': ")


def test_array_item_counts_and_uniqueness() -> None:
    tags = {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 3, "uniqueItems": True}
    schema = _schema({"tags": tags}, ["tags"])
    assert len(_first(schema, "items-count", "fewer").arguments["tags"]) == 1
    assert len(_first(schema, "items-count", "more").arguments["tags"]) == 4
    duplicated = _first(schema, "unique-items").arguments["tags"]
    assert len(set(duplicated)) < len(duplicated)


def test_nested_objects_and_array_items_are_labelled_by_path() -> None:
    address = {"type": "object", "properties": {"zip": {"type": "string"}}, "required": ["zip"]}
    edit = {"type": "object", "properties": {"oldText": {"type": "string"}}, "required": ["oldText"]}
    edits = {"type": "array", "items": edit, "minItems": 1}
    schema = _schema({"address": address, "edits": edits}, ["address", "edits"])
    assert _first(schema, "missing-required", "zip").description == "removed required property 'address.zip'"
    assert _first(schema, "wrong-type", "'edits[0].oldText'").arguments["edits"][0]["oldText"] != ""


def test_refs_and_nullable_optionals_are_seen_through() -> None:
    schema = {
        "$defs": {"Level": {"type": "integer", "minimum": 1, "maximum": 5}},
        "type": "object",
        "properties": {"level": {"anyOf": [{"$ref": "#/$defs/Level"}, {"type": "null"}]}},
    }
    assert _first(schema, "range", "above").arguments["level"] == 6


def test_dependent_required() -> None:
    schema = _schema({"card": {"type": "string"}, "cvc": {"type": "string"}}, ["card", "cvc"],
                     dependentRequired={"card": ["cvc"]})
    found = [m for m in _drawn(schema) if m.kind in ("dependency", "missing-required") and "'cvc'" in m.description]
    assert found
    assert all("cvc" not in m.arguments for m in found)


def test_candidates_that_stay_valid_are_discarded() -> None:
    """"not a valid regex!" is a valid regex, so only the unbalanced "(" may come out as a format mutation."""
    schema = _schema({"expr": {"type": "string", "format": "regex"}}, ["expr"])

    formats = [m for m in _drawn(schema) if m.kind == "format"]
    assert formats
    assert all(m.arguments["expr"] == "(" for m in formats)


def test_a_schema_accepting_every_object_fails_on_draw_not_on_call(draw_one: Callable[[Any], Any]) -> None:
    strategy = invalid_tool_arguments({"type": "object", "properties": {"anything": {}}})
    with pytest.raises(NoInvalidArguments, match="no constraint for an invalid argument to violate"):
        draw_one(strategy)
