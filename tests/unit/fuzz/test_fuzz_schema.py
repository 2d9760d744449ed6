"""Schema helpers: tool shapes, dialects with format checking, refs, inlining and type inference."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from mcptest.fuzz.schema import (
    UnsupportedSchema,
    allowed_types,
    canonical_json,
    inline_refs,
    input_schema,
    resolve_ref,
    schema_validator,
    unsupported_reason,
)

OBJECT = {"type": "object", "properties": {"a": {"type": "integer"}}}


class _ToolLike:
    inputSchema = OBJECT  # noqa: N815 - the wire's camelCase, as some client libraries expose it


def test_input_schema_reads_every_tool_shape_and_returns_a_copy() -> None:
    for shape in ({"name": "t", "inputSchema": OBJECT}, {"input_schema": OBJECT}, OBJECT, _ToolLike()):
        found = input_schema(shape)
        assert found == OBJECT
        assert found is not OBJECT


def test_canonical_json_ignores_key_order() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == canonical_json({"a": [1, {"c": 3, "d": 2}], "b": 1})


def test_validator_follows_the_declared_dialect_and_checks_formats() -> None:
    assert isinstance(schema_validator(OBJECT), jsonschema.Draft202012Validator)
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}
    assert isinstance(schema_validator(draft7), jsonschema.Draft7Validator)
    emails = schema_validator({"type": "object", "properties": {"e": {"type": "string", "format": "email"}}})
    assert emails.is_valid({"e": "a@example.com"})
    assert not emails.is_valid({"e": "no-at-sign"})


def test_draft_03_is_refused_with_a_fix() -> None:
    with pytest.raises(UnsupportedSchema, match="declare a 2020-12"):
        schema_validator({"$schema": "http://json-schema.org/draft-03/schema#", "type": "object"})


def test_resolve_ref_follows_escaped_json_pointers() -> None:
    root = {"$defs": {"a/b": {"type": "string"}, "m~n": {"type": "integer"}, "sp ace": {"const": 1}}}
    assert resolve_ref(root, "#/$defs/a~1b") == {"type": "string"}
    assert resolve_ref(root, "#/$defs/m~0n") == {"type": "integer"}
    assert resolve_ref(root, "#/$defs/sp%20ace") == {"const": 1}
    assert resolve_ref(root, "#/$defs/missing") is None
    assert resolve_ref(root, "other.json#/x") is None


def test_unused_recursive_definitions_do_not_make_a_schema_unsupported() -> None:
    schema = {"type": "object", "$defs": {"Node": {"properties": {"next": {"$ref": "#/$defs/Node"}}}}, "properties": {}}
    assert unsupported_reason(schema) is None
    schema["properties"] = {"head": {"$ref": "#/$defs/Node"}}
    assert "recursive" in (unsupported_reason(schema) or "")


def test_inline_refs_keeps_2020_12_siblings_and_drops_draft_7_ones() -> None:
    defs = {"Age": {"type": "integer"}}
    age = {"$ref": "#/$defs/Age", "minimum": 0, "title": "Age"}
    modern = {"$defs": defs, "type": "object", "properties": {"age": age}}
    assert inline_refs(modern)["properties"]["age"] == {"minimum": 0, "allOf": [{"type": "integer"}]}
    old: dict[str, Any] = {**modern, "$schema": "http://json-schema.org/draft-07/schema#", "definitions": defs}
    del old["$defs"]
    old["properties"] = {"age": {"$ref": "#/definitions/Age", "minimum": 0}}
    inlined = inline_refs(old)
    assert inlined["properties"]["age"] == {"type": "integer"}
    assert "definitions" not in inlined


def test_allowed_types_reads_type_enum_and_combinators() -> None:
    assert allowed_types({"type": "integer"}) == {"integer"}
    assert allowed_types({"type": "number"}) == {"integer", "number"}
    assert allowed_types({"anyOf": [{"type": "string"}, {"type": "null"}]}) == {"string", "null"}
    assert allowed_types({"enum": ["a", 1]}) == {"string", "integer"}
    assert allowed_types({"allOf": [{"type": ["string", "null"]}, {"type": "string"}]}) == {"string"}
    assert len(allowed_types({})) == 7
