"""Stateful fuzzing: Hypothesis drives sequences of tool calls, feeding values the server returned into later calls.

Each sequence runs on a connection with a fresh server state (``fresh.Fresh``). After every step the invariants
of ``invariants.Probe`` are checked. The search stops at the first broken invariant; the recorded sequence is
then replayed on a fresh server to confirm it and shrunk by removing whole steps and simplifying arguments
(``replay.shrink``: values taken from earlier results are re-read from what the server returns in each replay,
so no Hypothesis bundle bookkeeping is involved), and returned with a ready-to-paste pytest test.
"""

from __future__ import annotations

import json
import time
import unittest
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis import Phase, Verbosity, settings
from hypothesis.errors import Flaky
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test, rule

from mcptest.checks.base import call_blocked
from mcptest.fuzz.budget import Budget, ShrinkAllowance, fuzz_budget
from mcptest.fuzz.fresh import Fresh, Lease
from mcptest.fuzz.invariants import Broken, Probe
from mcptest.fuzz.judge import CallClock
from mcptest.fuzz.observe import Observed, harvest, harvest_listing
from mcptest.fuzz.replay import Outcome, play, shrink
from mcptest.fuzz.runner import SUPPRESSED
from mcptest.fuzz.schema import UnsupportedSchema, schema_validator
from mcptest.fuzz.sequence import StatefulFailure, Step
from mcptest.fuzz.strategies import compile_schema

if TYPE_CHECKING:
    from mcptest.checks.base import CheckContext

SHRINK_SEQUENCES = 60
SHRINK_SECONDS = 60.0
"""Shrinking bounds: every candidate replays on a fresh server (a new process on stdio, opened ahead)."""
PICKS = 24
"""Range of the integers that choose whether to feed a value back (two thirds of the steps do, when there is one),
which one, and into which argument."""
RESTARTS = 3
"""New Hypothesis runs (the next seeds) the search may start when Hypothesis calls its generation flaky."""
CONFIRMATIONS = 2
"""Replays of the found sequence before it counts as not reproducible (a claim must reproduce)."""

__all__ = ["StatefulFailure", "StatefulResult", "Step", "run_stateful"]


@dataclass
class StatefulResult:
    """What a stateful run did.

    Attributes:
        failure: the minimal failing sequence, or None when every invariant held.
        calls: tool calls made, replays included (listing and reading requests not counted).
        sequences: sequences the search started (each on a fresh server state).
        steps: tool calls that were part of a searched sequence.
        replays: sequences replayed to confirm and shrink a failure.
        seconds: wall time.
        budget: the search budget in seconds.
        cut_by_budget: the budget ended the search.
        tools: the tools driven.
        skipped: tool -> why it was not called.
        fresh_state: every sequence started from a fresh server (see ``caveat`` when not).
        caveat: why sequences may share server state.
        announcements: whether missing list_changed notifications were judged (stdio, handshake era).
        unconfirmed: a break seen while searching that did not happen again on replay (not reported).
        initial: an invariant that did not hold before any call (then nothing was searched: it is no
            sequence's doing, and the checks of that feature report it).
    """

    failure: StatefulFailure | None = None
    calls: int = 0
    sequences: int = 0
    steps: int = 0
    replays: int = 0
    seconds: float = 0.0
    budget: float = 0.0
    cut_by_budget: bool = False
    tools: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    fresh_state: bool = True
    caveat: str = ""
    announcements: bool = False
    unconfirmed: str = ""
    initial: str = ""

    def summary(self) -> str:
        """One line for reports."""
        cut = f" within the {self.budget:g} s budget" if self.cut_by_budget else ""
        shrunk = f", {self.replays} replays to confirm and shrink" if self.replays else ""
        return (f"{self.sequences} sequences, {self.steps} steps over {len(self.tools)} tools in "
                f"{self.seconds:.1f} s{cut}{shrunk}")

    def report(self, seed: int) -> str:
        """The failure for a reader: what broke, the minimal sequence step by step, the seed, the regression test."""
        failure = self.failure
        if failure is None:
            return f"every invariant held: {self.summary()}"
        lines = [f"{failure.kind}: {failure.detail}",
                 f"  minimal sequence ({len(failure.steps)} steps; {failure.note}):"]
        for number, step in enumerate(failure.steps, 1):
            taken = "".join(f"; {name} from {origin}" for name, origin in step.origins.items())
            lines.append(f"    {number}. {step.tool} {json.dumps(step.arguments, ensure_ascii=False)}{taken}")
        lines.append(f"  seed: --mcp-seed {seed}; {self.summary()}")
        if self.caveat:
            lines.append(f"  caveat: {self.caveat}")
        lines.append("  regression test:")
        lines.extend(f"    {line}" for line in failure.test().splitlines())
        return "\n".join(lines)


class _Stop(unittest.SkipTest):
    """Ends the Hypothesis run at once (budget spent, or an invariant broke: our own shrinking takes over)."""


def judges_announcements(ctx: CheckContext) -> str | None:
    """Why missing list_changed notifications cannot be judged on this target, or None when they can.

    Over HTTP a server may send them on the GET stream, which the raw wire does not hold open; at 2026-07-28 they
    go only to a ``subscriptions/listen`` stream, which the stateful run does not open.
    """
    if ctx.modern:
        return ("at 2026-07-28 list_changed goes only to a subscriptions/listen stream, which the stateful run "
                "does not open")
    if ctx.transport != "stdio":
        return (f"over {ctx.transport} a server may send list_changed on its GET stream, which the stateful run does "
                "not hold open, so a missing announcement cannot be told apart")
    return None


def run_stateful(ctx: CheckContext, *, steps: int = 10, budget: float | None = None, seed: int | None = None,
                 unsafe: bool | None = None, shrink_seconds: float = SHRINK_SECONDS) -> StatefulResult:
    """Drive sequences of the server's tool calls and check the invariants after every step.

    Args:
        ctx: the check context (version, surface, settings, and the handle that opens connections).
        steps: most calls per sequence.
        budget: search seconds (default ``fuzz_budget`` from the settings).
        seed: the run's seed (default ``settings.seed`` or 0).
        unsafe: also call tools annotated destructiveHint/openWorldHint (default ``settings.fuzz_all``).
        shrink_seconds: how long a found failure may be replayed to confirm and shrink it.

    Returns:
        The result; ``failure`` holds the minimal sequence when an invariant broke and the break reproduced.

    Raises:
        UnsupportedSchema: no tool can be called (none listed, all unsafe, or none with a usable schema).
    """
    allow_unsafe = bool(getattr(ctx.settings, "fuzz_all", False)) if unsafe is None else unsafe
    seconds = fuzz_budget(ctx.settings) if budget is None else budget
    driver = _Driver(ctx, allow_unsafe, Budget(seconds), steps)
    fresh = Fresh(ctx)
    driver.result.fresh_state, driver.result.caveat = fresh.fresh_state, fresh.caveat
    started = time.monotonic()
    try:
        found = driver.search(fresh, seed if seed is not None else (getattr(ctx.settings, "seed", None) or 0))
        if found is not None:
            driver.settle(fresh, found, ShrinkAllowance(calls=SHRINK_SEQUENCES, seconds=shrink_seconds))
    finally:
        fresh.close()
        driver.result.seconds = time.monotonic() - started
    return driver.result


class _Driver:
    """The tools, the invariants and the bookkeeping of one run."""

    def __init__(self, ctx: CheckContext, unsafe: bool, budget: Budget, steps: int) -> None:
        self.ctx, self.budget, self.max_steps = ctx, budget, steps
        self.result = StatefulResult(budget=budget.seconds, announcements=judges_announcements(ctx) is None)
        self.clock = CallClock(ctx.timeout)
        self.tools: list[dict[str, Any]] = []
        self.strategies: list[st.SearchStrategy[dict[str, Any]]] = []
        for tool in ctx.surface.items("tools"):
            why = call_blocked(ctx.settings, tool, unsafe_ok=unsafe, opt_in="--mcp-fuzz-all")
            schema = tool.get("inputSchema")
            compiled = compile_schema(schema) if why is None and isinstance(schema, dict) else None
            if why is None and (compiled is None or compiled.arguments is None):
                why = f"cannot generate arguments: {compiled.reason if compiled else 'no inputSchema'}"
            if why is not None:
                self.result.skipped[str(tool.get("name"))] = why
                continue
            self.tools.append(tool)
            self.strategies.append(compiled.arguments)  # type: ignore[union-attr]
        if not self.tools:
            reasons = "; ".join(f"{n}: {why}" for n, why in self.result.skipped.items()) or "the server lists no tools"
            raise UnsupportedSchema(f"no tool can be driven in sequences ({reasons})")
        self.by_name = {str(tool["name"]): tool for tool in self.tools}
        self.result.tools = tuple(self.by_name)

    def probe(self, lease: Lease) -> Probe:
        """The invariant checker on a fresh connection."""
        return Probe(lease.wire, self.ctx.surface, self.by_name, self.clock, self.result.announcements)

    # -- search ---------------------------------------------------------------------------------------------

    def search(self, fresh: Fresh, seed: int) -> Outcome | None:
        """Run sequences until one breaks an invariant (returned as recorded) or the budget is spent."""
        state = _Search(self, fresh)
        run = get_state_machine_test(_machine(state), settings=settings(
            max_examples=10_000, stateful_step_count=self.max_steps, database=None, deadline=None,
            derandomize=False, print_blob=False, report_multiple_bugs=False, verbosity=Verbosity.quiet,
            suppress_health_check=SUPPRESSED, phases=(Phase.generate,)))
        try:
            for attempt in range(RESTARTS + 1):
                try:
                    hypothesis_seed(seed + attempt)(run)()
                except Flaky:  # a server whose answers steer how much is drawn can still make Hypothesis say so
                    if state.found is not None or self.budget.spent():
                        break
                    continue
                except _Stop:
                    pass
                break
        finally:
            state.end()
        return state.found

    # -- confirm and shrink ---------------------------------------------------------------------------------

    def settle(self, fresh: Fresh, found: Outcome, allowance: ShrinkAllowance) -> None:
        """Confirm the recorded failure on a fresh server, shrink it, and keep it as the result's failure."""
        assert found.broken is not None
        kind = found.broken.kind

        def run(steps: tuple[Step, ...]) -> Outcome:
            lease = fresh.take()
            self.result.replays += 1
            self.result.calls += len(steps)
            try:
                return play(self.probe(lease), steps)
            finally:
                fresh.release(lease)

        confirmed = None
        for _ in range(CONFIRMATIONS):
            again = run(found.steps)
            if again.broken is not None and again.broken.kind == kind:
                confirmed = again
                break
        if confirmed is None:
            self.result.unconfirmed = (f"{kind} after {len(found.steps)} steps ({found.broken.detail[:200]}) did not "
                                       f"happen again in {CONFIRMATIONS} replays on a fresh server")
            return
        self.clock.shrinking = True
        allowance.start()
        steps, broken = shrink(confirmed, run, allowance, self.by_name)
        self.clock.shrinking = False
        note = f"shrunk from {len(found.steps)} to {len(steps)} steps in {self.result.replays} replays"
        if allowance.spent():
            note += " (the shrink allowance ran out: a shorter sequence may exist)"
        self.result.failure = StatefulFailure(broken.kind, broken.detail, steps, broken.check, note)


class _Search:
    """The sequence in progress while Hypothesis searches: its connection, its steps, what it returned."""

    def __init__(self, driver: _Driver, fresh: Fresh) -> None:
        self.driver, self.fresh = driver, fresh
        self.lease: Lease | None = None
        self.probe: Probe | None = None
        self.steps: list[Step] = []
        self.pool: list[Observed] = []
        self.found: Outcome | None = None

    def begin(self) -> None:
        """Start a sequence on a fresh server, unless the budget is spent (then its first step ends the run:
        raising in a state machine's constructor confuses Hypothesis)."""
        self.end()
        self.steps, self.pool = [], []
        if self.driver.budget.spent():
            self.driver.result.cut_by_budget = True
            return
        self.lease = self.fresh.take()
        self.probe = self.driver.probe(self.lease)
        self.driver.result.sequences += 1
        try:
            self.probe.start()
        except Broken as broken:  # not a sequence's doing: the checks of that feature report it
            self.driver.result.initial = f"{broken.kind}: {broken.detail}"
            self.end()

    def end(self) -> None:
        """Close the sequence's connection."""
        if self.lease is not None:
            self.fresh.release(self.lease)
            self.lease = self.probe = None

    def step(self, index: int, arguments: dict[str, Any], value: Observed | None, slot: str | None) -> None:
        """Call one tool, check every invariant, and pool the values worth feeding back."""
        if self.probe is None or self.found is not None:
            raise _Stop  # the budget is spent, or the invariants did not even hold before the first call
        tool = self.driver.tools[index]
        name = str(tool["name"])
        origins = {slot: value.origin} if value is not None and slot else {}
        refs = {slot: value.ref} if value is not None and slot else {}
        self.steps.append(Step(name, arguments, origins, refs))
        self.driver.result.calls += 1
        self.driver.result.steps += 1
        number = len(self.steps) - 1
        try:
            result = self.probe.call(name, arguments)
            listed = self.probe.after()
        except Broken as broken:
            self.found = Outcome(broken, tuple(self.steps))
            raise _Stop from None
        origin = f"step {number + 1} ({name})"
        observed = harvest(result, number, origin)
        observed += harvest_listing(listed.get("resources", []), "resources", number, f"resources/list after {origin}")
        # a value already pooled, or one this sequence sent itself (an echoed title), tells nothing new
        known = {repr(item.value) for item in self.pool}
        known |= {repr(value) for sent in self.steps for value in sent.arguments.values()}
        self.pool += [item for item in observed if repr(item.value) not in known and len(str(item.value)) > 1]


def _machine(search: _Search) -> type[RuleBasedStateMachine]:
    """A state machine class bound to one search (one class per run: runs in parallel threads share nothing).

    Every draw has a shape that depends on nothing the server returned (the tool index, its arguments, and
    plain integers that pick a fed-back value and the argument it goes to, modulo what is there): values from a
    server differ between runs, and a draw shaped by them would make Hypothesis call its own generation flaky.
    """
    driver = search.driver
    count = len(driver.tools)

    class Sequence(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            search.begin()

        @rule(index=st.integers(0, count - 1), data=st.data(), feed=st.integers(0, PICKS - 1),
              slot=st.integers(0, PICKS - 1))
        def call(self, index: int, data: st.DataObject, feed: int, slot: int) -> None:
            arguments = data.draw(driver.strategies[index], label="arguments")
            value = search.pool[feed % len(search.pool)] if search.pool and feed >= PICKS // 3 else None
            names = _slots(driver.tools[index], arguments, value.value) if value is not None else []
            name = names[slot % len(names)] if names else None
            if name is not None:
                arguments = {**arguments, name: value.value}  # type: ignore[union-attr]
            search.step(index, arguments, value if name else None, name)

    return Sequence


def _slots(tool: dict[str, Any], arguments: dict[str, Any], value: Any) -> list[str]:
    """Top-level argument names that may take ``value`` with the arguments staying schema-valid."""
    schema = tool.get("inputSchema") or {}
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    validator = schema_validator(schema)
    return [name for name in properties if validator.is_valid({**arguments, name: value})]
