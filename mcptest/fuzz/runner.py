"""Fuzz one tool through a live server with Hypothesis: valid inputs must work, invalid ones be rejected.

A run has two phases. The search draws arguments with Hypothesis and hands them to call threads
(`pipeline.Pipeline`, several calls in flight), so drawing overlaps the server's work; it stops at the first
failure, after ``examples`` distinct inputs, or when the time budget is spent. It is a series of short
Hypothesis runs (``CASES`` test cases of ``PER_CASE`` draws each, seeds derived from the tool's): Hypothesis'
fixed cost per test case is shared by many draws, and a short run stays in the phase where Hypothesis does not
yet duplicate parts of a test case on purpose (which, for many draws per case, would mostly repeat inputs).
Only when the search saw a failure does the shrink phase run: the Hypothesis run that drew a failing input
replayed serially from its seed, judging only the draw at that input's position in each test case (inputs
already known to pass are not called again), which reaches the input, confirms it with a fresh call and shrinks
it within the shrink allowance.
"""

from __future__ import annotations

import threading
import unittest
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky, HypothesisException, Unsatisfiable

from mcptest.fuzz.budget import Budget, ShrinkAllowance, fuzz_budget
from mcptest.fuzz.judge import CallClock, FuzzFailure, Mode, Sent, begin_call, call_and_judge, end_call
from mcptest.fuzz.mutations import Mutation, invalid_tool_arguments
from mcptest.fuzz.pipeline import Pipeline
from mcptest.fuzz.schema import UnsupportedSchema, canonical_json
from mcptest.fuzz.strategies import tool_arguments

if TYPE_CHECKING:
    from mcptest.checks.base import CheckContext

CASES = 10
"""Hypothesis test cases per search run: Hypothesis' health-check phase, before it starts copying parts of a test
case into others (it does so to find duplicated-value bugs; with many draws per case it mostly repeats inputs)."""
PER_CASE = 32
"""Arguments drawn per Hypothesis test case: its fixed cost per case (about a millisecond) is shared by them, and
shrinking still ends at the one failing input (the draws before it are deleted)."""
IDLE_RUNS = 2
"""Search runs in a row that found no new distinct input before the schema counts as exhausted."""
DRY_DRAWS = 2 * PER_CASE
"""Draws in a row that found no new distinct input before a search run ends early (the next run, with another
seed, tries elsewhere): a schema with only a few invalid inputs is exhausted in a few hundred draws, not thousands."""
SIMPLE_CASES = 1 + CASES // 10
"""Test cases at the start of every Hypothesis run that repeat themselves: its simplest case (the simplest draw,
over and over), then ``max_examples // 10`` small ones (a new first choice, then the simplest; Hypothesis'
``generate_new_test_cases``). Such a case ends at its first draw that repeats one of its own, and its draws never
count as dry: they say nothing about how many inputs the schema has."""
IN_FLIGHT = 8
"""Most search calls in flight at once (``--mcp-concurrency`` lowers it; 1 makes the search strictly serial)."""
LAX_KINDS = frozenset({"coercible-type"})
"""Mutation kinds lax validators (pydantic's default mode) accept; left out of the MUST property."""
SUPPRESSED = (HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
              HealthCheck.large_base_example, HealthCheck.nested_given)
"""Health checks that judge wall-clock time or draw effort: a remote call makes every example slow, the schema
decides how large values are, and the validator filter gives up itself with a typed reason."""

Item = tuple[dict[str, Any], str]


@dataclass
class FuzzStats:
    """What one fuzz run did.

    Attributes:
        examples: distinct inputs judged while searching.
        planned: the examples asked for.
        budget: the search budget in seconds.
        cut_by_budget: the budget ended the search before ``planned`` examples ran.
        calls: every tools/call made (searching, replaying, shrinking, confirming).
        shrink_calls: calls spent replaying and shrinking a failure.
        tool_errors: valid inputs answered with ``isError`` (allowed; reported for information).
        seconds: wall time of the run.
        restarts: times the server was restarted after dying or hanging.
        slowest_ok: the slowest answered call, in seconds.
        unconfirmed: a failure seen while searching that its replay did not show again (not reported as a
            finding: the property must be reproducible).
        failing: every failing input seen, in order (the last is Hypothesis' current minimal one).
    """

    examples: int = 0
    planned: int = 0
    budget: float = 0.0
    cut_by_budget: bool = False
    calls: int = 0
    shrink_calls: int = 0
    tool_errors: int = 0
    seconds: float = 0.0
    restarts: int = 0
    slowest_ok: float = 0.0
    unconfirmed: FuzzFailure | None = None
    failing: list[FuzzFailure] = field(default_factory=list)

    def summary(self) -> str:
        """One line for reports, e.g. ``12 of 25 examples within the 5 s budget``."""
        if self.failing:
            return (f"the search stopped at a failure after {self.examples} of {self.planned} examples "
                    f"in {self.seconds:.1f} s")
        if self.cut_by_budget:
            return f"{self.examples} of {self.planned} examples within the {self.budget:g} s budget"
        text = f"{self.examples} examples in {self.seconds:.1f} s"
        if self.examples < self.planned:
            text += f" (of {self.planned}: the schema allows no more distinct inputs that Hypothesis found)"
        return text


class _Stop(unittest.SkipTest):
    """Ends a Hypothesis run at once (Hypothesis re-raises skip exceptions without shrinking them)."""


class _Falsified(Exception):
    def __init__(self, failure: FuzzFailure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


def tool_seed(seed: int, tool: str, mode: Mode, salt: str = "") -> int:
    """The per-tool seed derived from the run's seed and ``salt`` (stable across runs and processes)."""
    return zlib.crc32(f"{seed}:{tool}:{mode}{':' + salt if salt else ''}".encode()) & 0xFFFFFFFF


def fuzz_tool(ctx: CheckContext, tool: dict[str, Any], mode: Mode, *, examples: int, seed: int,
              budget: float | None = None, salt: str = "") -> tuple[FuzzFailure | None, FuzzStats]:
    """Run up to ``examples`` Hypothesis examples of ``mode`` arguments against ``tool`` within the budget.

    Args:
        ctx: the check context (its shared wire, timeout and settings).
        tool: the tool as listed by tools/list.
        mode: ``valid`` or ``invalid`` arguments.
        examples: distinct inputs to try at most.
        seed: the run's seed (the tool's own seed derives from it).
        budget: search seconds; default ``fuzz_budget`` from the settings.
        salt: mixed into the tool's seed (the protocol version, when versions share the examples).

    Returns:
        The minimal failing input (None when the property held) and run statistics.

    Raises:
        UnsupportedSchema: the inputSchema cannot be fuzzed (the reason says why).
    """
    seconds = fuzz_budget(ctx.settings) if budget is None else budget
    run = _Run(ctx, tool, mode, examples, Budget(seconds))
    return run.execute(tool_seed(seed, str(tool.get("name")), mode, salt))


class _Run:
    """The state of one fuzz_tool call: verdicts by input, the clock, the budgets."""

    def __init__(self, ctx: CheckContext, tool: dict[str, Any], mode: Mode, examples: int, budget: Budget) -> None:
        self.ctx, self.tool, self.mode, self.budget = ctx, tool, mode, budget
        self.stats = FuzzStats(planned=examples, budget=budget.seconds)
        self.clock = CallClock(ctx.timeout)
        self.shrink = ShrinkAllowance()
        self.passed: set[str] = set()
        self.hints: dict[str, FuzzFailure] = {}
        self.confirmed: dict[str, FuzzFailure] = {}
        self.single = tool_arguments(tool) if mode == "valid" else invalid_tool_arguments(tool).filter(_strict)
        self.drawn_at: dict[str, tuple[int, int, int]] = {}
        self.window = max(1, min(IN_FLIGHT, int(getattr(ctx.settings, "concurrency", 1) or 1)))
        self._lock = threading.Lock()

    def execute(self, seed: int) -> tuple[FuzzFailure | None, FuzzStats]:
        started = self.budget.clock()
        restarts = self.ctx.restarts
        try:
            self._search(seed)
            failure = self._replay(seed) if self.hints else None
        finally:
            self.stats.seconds = self.budget.clock() - started
            self.stats.slowest_ok = self.clock.slowest
            self.stats.restarts = self.ctx.restarts - restarts
        return failure, self.stats

    # -- calls -----------------------------------------------------------------------------------------------

    def _call(self, item: Item) -> FuzzFailure | None:
        failure, tool_error = call_and_judge(self.ctx, self.tool, item[0], self.mode, item[1], self.clock)
        with self._lock:
            self.stats.calls += 1
            self.stats.tool_errors += tool_error
        return failure

    def _sent(self, keyed: tuple[str, Item]) -> Sent:
        """Send one search call (on the pipeline thread) without waiting for it."""
        _, (arguments, mutation) = keyed
        return begin_call(self.ctx, self.tool, arguments, self.mode, mutation, self.clock)

    def _searched(self, keyed: tuple[str, Item], sent: Sent) -> FuzzFailure | None:
        """Judge one search call: a failure is only a hint while other calls were in flight."""
        key, _ = keyed
        failure, tool_error = end_call(self.ctx, sent, self.clock)
        with self._lock:
            self.stats.calls += 1
            self.stats.tool_errors += tool_error
            self.stats.examples += 1
        if failure is None:
            self.passed.add(key)
        else:
            self.hints[key] = failure
        return failure

    # -- phase 1: search ---------------------------------------------------------------------------------------

    def _search(self, seed: int) -> None:
        seen: set[str] = set()
        pipeline: Pipeline[tuple[str, Item], Sent, FuzzFailure | None] = Pipeline(
            self._sent, self._searched, lambda verdict: verdict is not None, lambda: not self._out_of_budget(),
            window=self.window, depth=self.window)
        run = 0
        cases = 0
        dry = 0

        def stop() -> bool:
            return pipeline.stopped or len(seen) >= self.stats.planned or self._out_of_budget()

        def search(data: st.DataObject) -> None:
            nonlocal cases, dry
            cases += 1
            draws = _CaseDraws(data, self.single, simple=cases <= SIMPLE_CASES)
            for position in range(PER_CASE):
                if stop() or dry >= DRY_DRAWS:
                    raise _Stop
                drawn = draws.next()
                if drawn is None:
                    return
                key, item = drawn
                if key in seen:
                    dry += cases > SIMPLE_CASES
                    continue
                seen.add(key)
                dry = 0
                self.drawn_at[key] = (run, cases, position)
                pipeline.submit((key, item))

        idle = 0
        try:
            while not stop() and idle < IDLE_RUNS:
                before = len(seen)
                try:
                    self._hypothesis(search, _run_seed(seed, run), (Phase.generate,), CASES)
                except Flaky:
                    pass  # a case re-run after the search decided to stop drew less: Hypothesis calls that flaky
                idle = idle + 1 if len(seen) == before else 0
                run, cases, dry = run + 1, 0, 0
        finally:
            pipeline.finish(self.ctx.timeout * 10 + 10)

    def _out_of_budget(self) -> bool:
        """True once the budget is spent, but never before one example was judged: a budget shorter than
        drawing the first one (compiling a large schema) must not leave the property vacuous."""
        if self.budget.spent() and self.stats.examples > 0:
            self.stats.cut_by_budget = self.stats.examples < self.stats.planned
            return True
        return False

    # -- phase 2: replay, confirm, shrink ---------------------------------------------------------------------

    def _replay(self, seed: int) -> FuzzFailure | None:
        """Replay the search run of each failing hint (earliest first) until one confirms, and shrink it.

        Only the draw at the hint's position in each test case is judged (the draws around it are made, so the
        run generates what the search did, but never called): Hypothesis cannot shrink the case by letting
        another draw fail first, which for a property most inputs break would replace the input it is
        shrinking by a larger one at every step.
        """
        for run, position in dict.fromkeys((r, p) for r, _, p in sorted(self.drawn_at[key] for key in self.hints)):
            self._replay_position(_run_seed(seed, run), position)
            if self.stats.failing:
                return self._verified(min(self.stats.failing, key=_simplicity))
        self.stats.unconfirmed = next(iter(self.hints.values()))
        return None

    def _replay_position(self, seed: int, judged: int) -> None:
        cases = 0

        def replay(data: st.DataObject) -> None:
            nonlocal cases
            cases += 1
            draws = _CaseDraws(data, self.single, simple=cases <= SIMPLE_CASES)  # as the search drew them
            for position in range(PER_CASE):
                drawn = draws.next()
                if drawn is None:
                    return
                if position != judged:
                    continue
                key, item = drawn
                if key in self.passed:
                    continue
                if key in self.confirmed:
                    _falsify(self.confirmed[key])
                self._may_replay(key)
                failure = self._call(item)
                self.stats.shrink_calls += 1
                if failure is None:
                    self.passed.add(key)
                    continue
                self.confirmed[key] = failure
                self.stats.failing.append(failure)
                self.clock.shrinking = True
                self.shrink.start()
                _falsify(failure)

        try:
            self._hypothesis(replay, seed, (Phase.generate, Phase.shrink), CASES)
        except (_Falsified, HypothesisException, BaseExceptionGroup) as exc:
            # Flaky: a verdict that changed between two runs of one test case (a crash another check caused)
            if _find_falsified(exc) is None and not isinstance(exc, Flaky):
                raise

    def _may_replay(self, key: str) -> None:
        """Raise _Stop when this call is not allowed: shrink allowance spent, or a new input past the search."""
        if self.stats.failing:
            if not self.shrink.take():
                raise _Stop
        elif key not in self.hints:  # the replay went past the search without confirming its failure
            if self.stats.examples >= self.stats.planned or self._out_of_budget():
                raise _Stop
            self.stats.examples += 1

    def _verified(self, failure: FuzzFailure) -> FuzzFailure:
        """A shrunk hang is re-checked against the full timeout; if it was only slow, the first (unshrunk)
        input that really exceeded the timeout is reported instead."""
        if failure.kind != "hang" or failure is self.stats.failing[0]:
            return failure
        self.clock.shrinking = False
        again = self._call((failure.arguments, failure.mutation))
        if again is not None and again.kind == "hang":
            return again
        first = self.stats.failing[0]
        note = " (shrunk inputs only ran slower than the shrink bound; this is the input as first found)"
        return FuzzFailure(first.tool, first.mode, first.kind, first.arguments, first.detail + note, first.mutation)

    # -- Hypothesis ------------------------------------------------------------------------------------------

    def _hypothesis(self, prop: Any, seed: int, phases: tuple[Phase, ...], cases: int) -> None:
        """Run ``prop`` (drawing from ``st.data()``) with settings for remote calls; _Stop ends it quietly."""
        try:
            hypothesis_run(prop, seed, phases, cases)()
        except _Stop:
            return
        except Unsatisfiable as exc:
            raise UnsupportedSchema(f"Hypothesis could not draw {self.mode} arguments for this schema: {exc}") from None


def hypothesis_run(prop: Any, seed: int, phases: tuple[Phase, ...], cases: int) -> Any:
    """``prop`` (drawing from ``st.data()``) as a Hypothesis test with the search's settings: ``cases`` test cases,
    no example database, no deadline (remote calls), quiet, the given seed."""
    return settings(
        max_examples=cases, database=None, deadline=None, derandomize=False, print_blob=False,
        report_multiple_bugs=False, verbosity=Verbosity.quiet, suppress_health_check=SUPPRESSED, phases=phases,
    )(hypothesis_seed(seed)(given(st.data())(prop)))


class _CaseDraws:
    """The draws of one Hypothesis test case, keyed by their canonical JSON; a simple case (see ``SIMPLE_CASES``)
    ends at its first repeat. The search and its replay draw through this, so the replay generates what the search
    did."""

    def __init__(self, data: st.DataObject, strategy: st.SearchStrategy[Any], *, simple: bool) -> None:
        self._data, self._strategy, self._simple = data, strategy, simple
        self._keys: set[str] = set()

    def next(self) -> tuple[str, Item] | None:
        """The next draw, or None when a simple case starts repeating itself."""
        item = _item(self._data.draw(self._strategy))
        key = canonical_json(item[0])
        if self._simple and key in self._keys:
            return None
        self._keys.add(key)
        return key, item


def _falsify(failure: FuzzFailure) -> None:
    """Raise the failure from one place: Hypothesis tells bugs apart by where they were raised."""
    raise _Falsified(failure)


def _simplicity(failure: FuzzFailure) -> tuple[int, str]:
    """How simple failing arguments read: shorter JSON first. Hypothesis' own order ranks the whole test case (the
    draws before the failing one count), so its last failure is not always the simplest input."""
    text = canonical_json(failure.arguments)
    return len(text), text


def _run_seed(seed: int, run: int) -> int:
    """The seed of the ``run``-th search run of a tool (run 0 uses the tool's seed itself)."""
    return seed if run == 0 else zlib.crc32(f"{seed}:{run}".encode()) & 0xFFFFFFFF


def _strict(mutation: Mutation) -> bool:
    return mutation.kind not in LAX_KINDS


def _item(value: Any) -> Item:
    if isinstance(value, Mutation):
        return value.arguments, value.description
    return value, ""


def _find_falsified(exc: BaseException) -> _Falsified | None:
    if isinstance(exc, _Falsified):
        return exc
    for inner in getattr(exc, "exceptions", ()) or ():
        found = _find_falsified(inner)
        if found is not None:
            return found
    return _find_falsified(exc.__cause__) if exc.__cause__ is not None else None


__all__ = ["FuzzFailure", "FuzzStats", "UnsupportedSchema", "fuzz_tool", "tool_seed"]
