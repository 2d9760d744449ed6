"""Property tests over the real-world schema corpus: valid draws validate, mutations never do."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from mcptest.fuzz import Mutation, NoInvalidArguments, UnsupportedSchema, invalid_tool_arguments, tool_arguments

EXAMPLES = settings(max_examples=15, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
MUTATION_KINDS = {
    "missing-required", "wrong-type", "coercible-type", "enum", "const", "range", "multiple-of", "length",
    "pattern", "format", "items-count", "unique-items", "additional-property", "properties-count", "dependency",
    "unevaluated-property", "property-names", "extra-items", "contains",
}


def _json_text(value: Any) -> bytes:
    """What a client would put on the wire; raises on NaN, infinities and lone surrogates."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")


def test_corpus_is_large_and_covers_the_features_we_claim(corpus: dict[str, dict[str, Any]]) -> None:
    assert len(corpus) >= 30
    text = json.dumps([tool["inputSchema"] for tool in corpus.values()])
    for keyword in ("$defs", "$ref", "anyOf", "oneOf", "enum", "const", "format", "prefixItems", "dependentRequired",
                    "unevaluatedProperties", "additionalProperties", "patternProperties", "pattern", "minItems",
                    "maxLength", "exclusiveMinimum", "uniqueItems", "https://json-schema.org/draft/2020-12/schema"):
        assert keyword in text, f"no corpus schema uses {keyword}"
    sources = {tool["source"].split()[0] for tool in corpus.values()}
    assert {"mcp-server-time", "mcp-server-git", "mcp-server-fetch", "mcp"} <= sources


def test_every_generated_argument_is_valid_json_for_the_schema(
    generable_tool: dict[str, Any], is_valid: Callable[[dict[str, Any], Any], bool]
) -> None:
    schema = generable_tool["inputSchema"]

    @EXAMPLES
    @given(args=tool_arguments(generable_tool))
    def check(args: dict[str, Any]) -> None:
        assert isinstance(args, dict)
        _json_text(args)
        assert is_valid(schema, args), f"generated {args!r} is invalid for {generable_tool['name']}"

    check()


def test_every_mutation_is_invalid_and_says_what_it_broke(
    mutable_tool: dict[str, Any], is_valid: Callable[[dict[str, Any], Any], bool]
) -> None:
    schema = mutable_tool["inputSchema"]

    @EXAMPLES
    @given(mutation=invalid_tool_arguments(mutable_tool))
    def check(mutation: Mutation) -> None:
        _json_text(mutation.arguments)
        assert not is_valid(schema, mutation.arguments), f"{mutation.description}: {mutation.arguments!r} is valid"
        assert mutation.kind in MUTATION_KINDS
        assert mutation.description.strip()

    check()


def test_unsupported_schemas_fail_on_draw_with_the_reason(
    corpus: dict[str, dict[str, Any]], draw_one: Callable[[Any], Any]
) -> None:
    unsupported = [tool for tool in corpus.values() if "unsupported" in tool.get("expect", {})]
    assert len(unsupported) >= 3
    for tool in unsupported:
        strategies = (tool_arguments(tool), invalid_tool_arguments(tool))  # building them never raises
        for strategy in strategies:
            with pytest.raises(UnsupportedSchema, match=tool["expect"]["unsupported"]):
                draw_one(strategy)


def test_schemas_accepting_every_object_fail_mutation_draws_with_the_reason(
    corpus: dict[str, dict[str, Any]], draw_one: Callable[[Any], Any]
) -> None:
    accepting = [tool for tool in corpus.values() if tool.get("expect", {}).get("no_mutations")]
    assert accepting
    for tool in accepting:
        assert isinstance(draw_one(tool_arguments(tool)), dict)
        with pytest.raises(NoInvalidArguments, match="accepts every JSON object"):
            draw_one(invalid_tool_arguments(tool))
