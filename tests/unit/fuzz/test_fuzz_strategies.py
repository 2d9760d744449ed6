"""Valid-argument strategies: 2020-12 keywords, formats, JSON-safe text, tool shapes and typed skips."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from mcp.server import MCPServer

from mcptest.fuzz import UnsupportedSchema, tool_arguments

RUN = settings(max_examples=40, derandomize=True, database=None, deadline=None)
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _draws(tool: Any, examples: int = 40) -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []

    @settings(RUN, max_examples=examples)
    @given(tool_arguments(tool))
    def collect(args: dict[str, Any]) -> None:
        drawn.append(args)

    collect()
    return drawn


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (key, *_strings(item))]
    return [text for item in value for text in _strings(item)] if isinstance(value, list) else []


def test_prefix_items_tuples_keep_their_positions_and_length() -> None:
    point = {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string", "maxLength": 3}], "items": False}
    drawn = _draws({"$schema": DRAFT_2020_12, "type": "object", "properties": {"p": point}, "required": ["p"]})
    for args in drawn:
        assert len(args["p"]) <= 2
        assert all(isinstance(v, t) and not isinstance(v, bool) for v, t in zip(args["p"], (int, str), strict=False))
    assert any(len(args["p"]) == 2 for args in drawn)


def test_dependent_required_and_dependent_schemas_hold_in_every_draw() -> None:
    schema = {
        "$schema": DRAFT_2020_12, "type": "object",
        "properties": {"card": {"type": "string"}, "cvc": {"type": "string"}, "save": {"type": "boolean"}},
        "dependentRequired": {"card": ["cvc"]}, "dependentSchemas": {"save": {"required": ["card"]}},
    }
    drawn = _draws(schema)
    assert all("cvc" in args for args in drawn if "card" in args)
    assert all("card" in args for args in drawn if "save" in args)
    assert any("card" in args for args in drawn)


def test_unevaluated_properties_false_across_all_of_allows_no_stray_names() -> None:
    schema = {
        "$schema": DRAFT_2020_12, "type": "object", "unevaluatedProperties": False,
        "allOf": [{"properties": {"a": {"type": "integer"}}}, {"properties": {"b": {"type": "string"}}}],
    }
    assert all(set(args) <= {"a", "b"} for args in _draws(schema))


def test_formats_are_generated_valid() -> None:
    properties = {"id": {"type": "string", "format": "uuid"}, "on": {"type": "string", "format": "date"},
                  "at": {"type": "string", "format": "date-time"}, "mail": {"type": "string", "format": "email"}}
    for args in _draws({"type": "object", "properties": properties, "required": list(properties)}):
        uuid.UUID(args["id"])
        dt.date.fromisoformat(args["on"])
        assert "T" in args["at"]
        assert "@" in args["mail"]


def test_free_form_values_never_carry_lone_surrogates() -> None:
    texts = [text for args in _draws({"type": "object", "additionalProperties": {"type": "array", "items": {}}},
                                     examples=60) for text in _strings(args)]
    assert len(texts) >= 10, "free-form values drew almost no strings: the property below would be vacuous"
    assert any(any(ord(c) > 127 for c in text) for text in texts), "no non-ASCII text drawn at all"
    for text in texts:
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text), f"lone surrogate in {text!r}"
        text.encode("utf-8")  # what a client must be able to put on the wire


def test_strings_are_drawn_without_hypothesis_building_a_codec_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """hypothesis-jsonschema's default codec makes Hypothesis build a table of every UTF-8-encodable code point: 3 s
    of CPU in every process whose working directory has no ``.hypothesis`` cache yet (a CI checkout, a temporary
    directory). The generator keeps values encodable itself (lone surrogates scrubbed), so it never needs one."""
    from hypothesis.internal import charmap

    asked: list[str] = []
    table = charmap.intervals_from_codec

    def recorded(codec: str) -> Any:
        asked.append(codec)
        return table(codec)

    monkeypatch.setattr(charmap, "intervals_from_codec", recorded)
    schema = {"type": "object", "properties": {"codec_free": {"type": "string", "minLength": 1},
                                               "tags": {"type": "array", "items": {"type": "string"}}},
              "required": ["codec_free"], "additionalProperties": False}
    texts = [text for args in _draws(schema, examples=40) for text in _strings(args)]
    assert len(texts) >= 40 and any(any(ord(c) > 127 for c in text) for text in texts)
    for text in texts:
        text.encode("utf-8")
    assert asked == []


def test_accepts_sdk_tools_wire_dicts_and_bare_schemas_and_caches_per_schema() -> None:
    server = MCPServer("shapes")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    tool = anyio.run(server.list_tools)[0]
    wire = tool.model_dump(by_alias=True, exclude_none=True)
    reordered = dict(reversed(list(tool.input_schema.items())))
    assert tool_arguments(tool) is tool_arguments(wire) is tool_arguments(reordered)
    assert all(set(args) == {"a", "b"} for args in _draws(tool, examples=10))


def test_something_that_is_not_a_tool_is_a_type_error_naming_what_was_passed() -> None:
    with pytest.raises(TypeError, match=r"expected an MCP tool.*got int"):
        tool_arguments(42)
    with pytest.raises(TypeError, match="tool 'add' has no 'inputSchema'"):
        tool_arguments({"name": "add", "description": "Add two integers."})


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"type": "object", "properties": {"node": {"$ref": "#"}}}, "recursive \\$ref '#'"),
        ({"type": "object", "properties": {"m": {"$ref": "https://example.com/m.json"}}}, "remote refs are never"),
        ({"type": "object", "properties": {"n": {"type": "integr"}}}, "not a valid JSON Schema at properties/n/type"),
        ({"$schema": "https://example.com/my-dialect", "type": "object"}, "unknown JSON Schema dialect"),
        ({"type": "array"}, "must be an object"),
        ({"type": "object", "properties": {"w": {"type": "string", "pattern": "\\p{L}+"}}}, "Python's re cannot"),
        ({"type": "object", "properties": {"x": {"type": "integer", "minimum": 5, "maximum": 1}}, "required": ["x"]},
         "no value satisfies the schema"),
        ({"$schema": DRAFT_2020_12, "type": "object", "anyOf": [{"properties": {"a": {"type": "integer"}}}],
          "unevaluatedProperties": False, "required": ["b"]}, "property .b. is required, but a subschema forbids it"),
        ({"$schema": DRAFT_2020_12, "type": "object", "anyOf": [{"properties": {"a": {}}}],
          "oneOf": [{"properties": {"b": {}}}], "unevaluatedProperties": False, "required": ["c"]},
         "none of 30 generated values satisfied the schema .last: Unevaluated properties"),
    ],
    ids=["recursive", "remote-ref", "invalid", "unknown-dialect", "not-object", "ecma-regex", "contradiction",
         "never-valid", "never-accepted"],
)
def test_unsupported_schemas_raise_the_typed_reason_on_draw_never_on_call(
    schema: dict[str, Any], reason: str, draw_one: Callable[[Any], Any]
) -> None:
    strategy = tool_arguments(schema)
    with pytest.raises(UnsupportedSchema, match=reason):
        draw_one(strategy)


def test_a_plain_pytest_test_over_an_unsupported_schema_is_skipped_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from hypothesis import given
        from mcptest.fuzz import tool_arguments

        TREE = {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}

        @given(args=tool_arguments(TREE))
        def test_tree(args):
            assert False, "never reached"

        @given(args=tool_arguments({"type": "object", "properties": {"n": {"type": "integer"}}}))
        def test_plain(args):
            assert set(args) <= {"n"}
        """
    )
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*recursive $ref '#'*"])


def test_fifty_examples_of_a_typical_pydantic_tool_are_drawn(corpus: dict[str, dict[str, Any]]) -> None:
    # how fast they are drawn is benchmarks/fuzz_throughput.py's figure, not a timed assertion here
    assert len(_draws(corpus["sdk_place_order"], examples=50)) == 50
