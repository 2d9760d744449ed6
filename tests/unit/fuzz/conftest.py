"""Shared fixtures for the fuzz tests: the schema corpus and an independent JSON Schema validator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parents[3] / "fixtures" / "schemas"


def load_corpus() -> dict[str, dict[str, Any]]:
    """Every tool of `fixtures/schemas/`, by file stem."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`generable_tool`: every corpus tool valid arguments can be drawn for; `mutable_tool`: those that also
    admit invalid arguments."""
    tools = load_corpus()
    generable = {name: tool for name, tool in tools.items() if "unsupported" not in tool.get("expect", {})}
    mutable = {name: tool for name, tool in generable.items() if not tool.get("expect", {}).get("no_mutations")}
    for fixture, chosen in (("generable_tool", generable), ("mutable_tool", mutable)):
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, list(chosen.values()), ids=list(chosen))


@pytest.fixture
def corpus() -> dict[str, dict[str, Any]]:
    return load_corpus()


@pytest.fixture
def is_valid() -> Callable[[dict[str, Any], Any], bool]:
    """Validate like a strict client would, written independently of mcptest.fuzz: dialect from `$schema`
    (2020-12 by default) and format assertion on."""

    def check(schema: dict[str, Any], value: Any) -> bool:
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        return cls(schema, format_checker=cls.FORMAT_CHECKER).is_valid(value)

    return check


@pytest.fixture
def draw_one() -> Callable[[st.SearchStrategy[Any]], Any]:
    """Draw one example inside a real (derandomized) Hypothesis run, so draw-time errors surface as raised."""

    def draw(strategy: st.SearchStrategy[Any]) -> Any:
        drawn: list[Any] = []

        @settings(max_examples=1, derandomize=True, database=None, deadline=None)
        @given(strategy)
        def run(value: Any) -> None:
            drawn.append(value)

        run()
        return drawn[0]

    return draw
