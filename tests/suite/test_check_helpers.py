"""The helpers the checks and our tests rest on: example arguments (a schema's problem is n/a, mcptest's own bug is
not), and the one rule for services a test needs (MCPTEST_REQUIRE_SERVICES)."""

from __future__ import annotations

from typing import Any

import pytest

from mcptest.checks import examples
from mcptest.checks.examples import example_arguments
from mcptest.checks.http import guessable
from mcptest.findings import NotApplicable
from tests.conftest import need_service

UNSATISFIABLE = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 1}},
                 "required": ["n"]}
PATTERNED = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"}},
             "required": ["code"]}


def test_a_schema_nothing_satisfies_is_not_applicable_with_the_schema_named() -> None:
    with pytest.raises(NotApplicable, match="could not build valid example arguments"):
        example_arguments(UNSATISFIABLE)


def test_a_pattern_python_cannot_use_falls_back_to_the_plain_default() -> None:
    assert examples._pattern_example("(unclosed") is None
    assert example_arguments(PATTERNED)["code"][3] == "-"


def test_a_bug_in_mcptest_while_building_examples_is_not_a_silent_not_applicable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(tool: Any) -> Any:
        raise TypeError("mcptest bug: tool_arguments got a bad argument")

    monkeypatch.setattr("mcptest.fuzz.tool_arguments", broken)
    examples._cached_example.cache_clear()  # another test may have cached this schema's verdict already
    with pytest.raises(TypeError, match="mcptest bug"):
        example_arguments(UNSATISFIABLE)  # the deterministic builder fails, so Hypothesis is asked


@pytest.mark.parametrize(("value", "fails"), [("1", True), ("true", True), ("on", True), ("0", False), ("", False)])
def test_require_services_has_one_meaning(monkeypatch: pytest.MonkeyPatch, value: str, fails: bool) -> None:
    monkeypatch.setenv("MCPTEST_REQUIRE_SERVICES", value)
    with pytest.raises(pytest.fail.Exception if fails else pytest.skip.Exception, match="a test service"):
        need_service(False, "a test service")
    need_service(True, "a test service")  # available: neither


def test_session_ids_from_a_counter_look_guessable_random_ones_do_not() -> None:
    assert guessable("session-41", "session-42") and guessable("s-99-x", "s-100-x")
    # other sessions opened in between: the shared last digit is part of the counter, not text after it
    assert guessable("session-9", "session-19") and guessable("session-3", "session-13")
    assert guessable("session-3-a", "session-13-b") is None  # the text after the number differs too
    assert guessable("3f2a9c1be0d4", "8e7d6c5b4a39") is None
    assert guessable("0b1c2d3e-aaaa", "0b1c2d3e-aaab") is None  # hex letters are not a counter
