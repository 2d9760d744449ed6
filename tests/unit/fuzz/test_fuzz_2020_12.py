"""JSON Schema 2020-12 corpus: valid draws pass Draft202012Validator, mutations fail it, keywords are reached."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from mcptest.fuzz import Mutation, UnsupportedSchema, invalid_tool_arguments, tool_arguments

SET = Path(__file__).resolve().parents[3] / "fixtures" / "schemas" / "draft2020"
TOOLS = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SET.glob("*.json"))}
RUN = settings(max_examples=60, derandomize=True, database=None, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SEARCH = settings(RUN, max_examples=1000, phases=[Phase.generate])


def _validator(tool: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """The reference judge: the 2020-12 validator itself, asserting formats (written apart from mcptest.fuzz)."""
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(tool["inputSchema"], format_checker=checker)


def _has(value: Any, path: str) -> bool:
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False
    return True


def test_the_set_is_declared_2020_12_and_uses_every_keyword_we_claim() -> None:
    assert len(TOOLS) >= 15
    dialect = "https://json-schema.org/draft/2020-12/schema"
    assert all(tool["inputSchema"]["$schema"] == dialect for tool in TOOLS.values())
    text = json.dumps([tool["inputSchema"] for tool in TOOLS.values()])
    for keyword in ("prefixItems", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems",
                    "$defs", "$ref", "$anchor", "minContains", "maxContains", "const", "enum",
                    '"if"', '"then"', '"else"',
                    "anyOf", "oneOf", "allOf", "patternProperties", "propertyNames", "format", "$dynamicRef"):
        assert keyword in text, f"no 2020-12 corpus schema uses {keyword}"


@pytest.mark.parametrize("name", [name for name, tool in TOOLS.items() if "unsupported" not in tool.get("expect", {})])
def test_valid_draws_pass_the_2020_12_validator_and_reach_every_declared_path(name: str) -> None:
    tool = TOOLS[name]
    validator = _validator(tool)
    drawn: list[dict[str, Any]] = []

    @RUN
    @given(args=tool_arguments(tool))
    def check(args: dict[str, Any]) -> None:
        errors = [error.message for error in validator.iter_errors(args)]
        assert not errors, f"generated {args!r} is invalid: {errors}"
        json.dumps(args, allow_nan=False).encode("utf-8")
        drawn.append(args)

    check()
    for path in tool.get("expect", {}).get("covers", []):
        assert any(_has(args, path) for args in drawn), f"no valid draw of {name} has {path!r}: {drawn[:5]}"


@pytest.mark.parametrize("name", [name for name, tool in TOOLS.items() if "unsupported" not in tool.get("expect", {})])
def test_invalid_draws_fail_the_2020_12_validator_and_break_each_declared_keyword(name: str) -> None:
    tool = TOOLS[name]
    validator = _validator(tool)
    kinds: set[str] = set()

    @RUN
    @given(mutation=invalid_tool_arguments(tool))
    def check(mutation: Mutation) -> None:
        assert not validator.is_valid(mutation.arguments), f"{mutation.description}: {mutation.arguments!r} is valid"
        kinds.add(mutation.kind)

    check()
    for kind in set(tool.get("expect", {}).get("mutations", [])) - kinds:  # rarer kinds: search for one
        found = find(invalid_tool_arguments(tool), lambda m, kind=kind: m.kind == kind, settings=SEARCH)
        assert not validator.is_valid(found.arguments), f"{found.description}: {found.arguments!r} is valid"


def test_what_cannot_be_generated_is_skipped_with_the_reason_never_drawn_wrongly(
    draw_one: Callable[[Any], Any],
) -> None:
    unsupported = {name: tool for name, tool in TOOLS.items() if "unsupported" in tool.get("expect", {})}
    assert unsupported
    for tool in unsupported.values():
        for strategy in (tool_arguments(tool), invalid_tool_arguments(tool)):
            with pytest.raises(UnsupportedSchema, match=tool["expect"]["unsupported"]):
                draw_one(strategy)
