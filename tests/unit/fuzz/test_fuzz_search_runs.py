"""What the fuzz search assumes of Hypothesis' generation: every run starts with a few cases that repeat themselves."""

from __future__ import annotations

from hypothesis import Phase
from hypothesis import strategies as st

from mcptest.fuzz.runner import (
    CASES,
    PER_CASE,
    SIMPLE_CASES,
    _CaseDraws,
    _run_seed,
    hypothesis_run,
)
from mcptest.fuzz.strategies import tool_arguments

TOOL = {"name": "note", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}},
                                        "required": ["text"]}}


def _run(run: int, *, simple_cases: int) -> list[list[str]]:
    """The keys drawn per case in search run ``run`` of TOOL (draws in the first ``simple_cases`` cases stop at
    their first repeat, as the search's do)."""
    cases: list[list[str]] = []

    def search(data: st.DataObject) -> None:
        draws = _CaseDraws(data, tool_arguments(TOOL), simple=len(cases) < simple_cases)
        cases.append([])
        for _ in range(PER_CASE):
            drawn = draws.next()
            if drawn is None:
                return
            cases[-1].append(drawn[0])

    hypothesis_run(search, _run_seed(7, run), (Phase.generate,), CASES)()
    return cases


def _runs(count: int, *, simple_cases: int) -> list[list[list[str]]]:
    return [_run(run, simple_cases=simple_cases) for run in range(count)]


def test_the_first_cases_of_every_run_repeat_themselves_and_the_next_ones_do_not() -> None:
    """SIMPLE_CASES is Hypothesis' simplest case and its small ones (a new first choice, then the simplest): their
    repeats say nothing about how many inputs a schema has. If a Hypothesis upgrade changes that, this fails before
    the search misjudges a schema as exhausted or draws hundreds of repeats for nothing."""
    for cases in _runs(3, simple_cases=0):
        assert [len(set(case)) <= 2 for case in cases[:SIMPLE_CASES + 1]] == [True] * SIMPLE_CASES + [False], [
            len(set(case)) for case in cases]


def test_a_simple_case_ends_at_its_first_repeat() -> None:
    for cases in _runs(3, simple_cases=SIMPLE_CASES):
        assert all(len(case) == len(set(case)) < PER_CASE for case in cases[:SIMPLE_CASES]), cases[:SIMPLE_CASES]
