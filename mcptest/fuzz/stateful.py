"""Stateful fuzzing: Hypothesis drives sequences of tool calls, feeding values the server returned into later calls.

Each sequence starts on a fresh server (the shared wire is reset; for stdio that is a new process). After every
step the invariants are checked: the call got a well-formed answer (no crash, hang or protocol error; structured
output valid against outputSchema), every listed resource can still be read, and a listing that changed was
announced with ``notifications/*/list_changed`` where ``listChanged`` is declared. A failing sequence is shrunk by
Hypothesis and returned with a ready-to-paste pytest test. Runs under the same budget and safety rules as fuzzing.
"""

from __future__ import annotations

import time
import unittest
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis import Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.stateful import Bundle, RuleBasedStateMachine, get_state_machine_test, multiple, precondition, rule

from mcptest.fuzz.budget import Budget, ShrinkAllowance, fuzz_budget
from mcptest.fuzz.judge import CallClock, FuzzFailure, call_tool, judge_valid
from mcptest.fuzz.observe import Observed, harvest, harvest_listing
from mcptest.fuzz.runner import SUPPRESSED
from mcptest.fuzz.schema import UnsupportedSchema, schema_validator
from mcptest.fuzz.sequence import StatefulFailure, Step
from mcptest.fuzz.strategies import compile_schema
from mcptest.wire import RequestTimeout, WireError

if TYPE_CHECKING:
    from mcptest.checks.base import CheckContext

LISTS = {"tools": ("tools/list", "tools"), "resources": ("resources/list", "resources"),
         "prompts": ("prompts/list", "prompts")}
MAX_READS = 20
MAX_PAGES = 20
SHRINK_SEQUENCES = 150
SHRINK_SECONDS = 60.0
"""Shrinking bounds: every candidate sequence restarts the server (~0.5 s for a Python stdio server)."""
ANNOUNCE_WAIT = 1.0
"""Seconds to wait for a list_changed notification after a listing was seen to change without one."""

__all__ = ["StatefulFailure", "StatefulResult", "Step", "run_stateful"]


@dataclass
class StatefulResult:
    """What a stateful run did.

    Attributes:
        failure: the minimal failing sequence, or None when every invariant held.
        calls: tool calls made (listing and reading requests not counted).
        sequences: sequences started (each on a fresh server).
        steps: tool calls that were part of a sequence in the search (excluding shrinking).
        seconds: wall time.
        budget: the search budget in seconds.
        cut_by_budget: the budget ended the search.
        tools: the tools driven.
        skipped: tool -> why it was not called.
    """

    failure: StatefulFailure | None = None
    calls: int = 0
    sequences: int = 0
    steps: int = 0
    seconds: float = 0.0
    budget: float = 0.0
    cut_by_budget: bool = False
    tools: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for reports."""
        cut = f" within the {self.budget:g} s budget" if self.cut_by_budget else ""
        return f"{self.sequences} sequences, {self.steps} steps over {len(self.tools)} tools in {self.seconds:.1f} s{cut}"


class _Stop(unittest.SkipTest):
    """Ends the Hypothesis run at once (budget or shrink allowance spent)."""


class _Broken(AssertionError):
    def __init__(self, failure: StatefulFailure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


def run_stateful(ctx: CheckContext, *, steps: int = 10, budget: float | None = None, seed: int | None = None,
                 unsafe: bool | None = None, shrink_seconds: float = SHRINK_SECONDS) -> StatefulResult:
    """Drive sequences of the server's tool calls and check the invariants after every step.

    Args:
        ctx: the check context (shared wire, timeout, settings, surface).
        steps: most calls per sequence.
        budget: search seconds (default ``fuzz_budget`` from the settings).
        seed: the run's seed (default ``settings.seed`` or 0).
        unsafe: also call tools annotated destructiveHint/openWorldHint (default ``settings.fuzz_all``).
        shrink_seconds: how long a found failure may be shrunk.

    Returns:
        The result; ``failure`` holds the minimal sequence when an invariant broke.

    Raises:
        UnsupportedSchema: no tool can be called (none listed, all unsafe, or no schema can be generated for).
    """
    allow_unsafe = bool(getattr(ctx.settings, "fuzz_all", False)) if unsafe is None else unsafe
    seconds = fuzz_budget(ctx.settings) if budget is None else budget
    driver = _Driver(ctx, allow_unsafe, Budget(seconds), steps, shrink_seconds)
    started = time.monotonic()
    try:
        driver.run(seed if seed is not None else (getattr(ctx.settings, "seed", None) or 0))
    finally:
        driver.result.seconds = time.monotonic() - started
    return driver.result


class _Driver:
    """The tools, the invariants and the bookkeeping shared by every sequence of one run."""

    def __init__(self, ctx: CheckContext, unsafe: bool, budget: Budget, steps: int, shrink_seconds: float) -> None:
        self.ctx, self.budget, self.max_steps = ctx, budget, steps
        self.result = StatefulResult(budget=budget.seconds)
        self.clock = CallClock(ctx.timeout)
        self.shrink = ShrinkAllowance(calls=SHRINK_SEQUENCES, seconds=shrink_seconds)
        self.tools: list[dict[str, Any]] = []
        self.strategies: list[st.SearchStrategy[dict[str, Any]]] = []
        for tool in ctx.surface.items("tools"):
            why = _blocked(tool, unsafe)
            compiled = compile_schema(tool["inputSchema"]) if why is None and isinstance(tool.get("inputSchema"), dict) else None
            if why is None and (compiled is None or compiled.arguments is None):
                why = f"cannot generate arguments: {compiled.reason if compiled else 'no inputSchema'}"
            if why is not None:
                self.result.skipped[str(tool.get("name"))] = why
                continue
            self.tools.append(tool)
            self.strategies.append(compiled.arguments)  # type: ignore[union-attr]
        if not self.tools:
            reasons = "; ".join(f"{name}: {why}" for name, why in self.result.skipped.items()) or "the server lists no tools"
            raise UnsupportedSchema(f"no tool can be driven in sequences ({reasons})")
        self.result.tools = tuple(str(tool["name"]) for tool in self.tools)
        self.steps: list[Step] = []
        self.listings: dict[str, str] = {}
        self.announced: set[str] = set()
        self.searching = True
        self.halted = False
        self.fed: set[str] = set()

    # -- a sequence -----------------------------------------------------------------------------------------

    def begin(self) -> None:
        """Start a sequence on a fresh server, unless the budget (or the shrink allowance) is spent: then the
        sequence's first step ends the run (raising in a state machine's constructor confuses Hypothesis)."""
        self.steps = []
        self.fed = set()
        self.halted = (self.searching and self.budget.spent()) or (not self.searching and not self.shrink.take())
        if self.halted:
            self.result.cut_by_budget |= self.searching
            return
        self.ctx.reset_wire()
        self.steps = []
        self.announced = set()
        self.listings = {kind: self._fingerprint(items) for kind, items in self._list_all().items()}
        self.result.sequences += self.searching

    def step(self, index: int, arguments: dict[str, Any], origins: dict[str, str]) -> list[Observed]:
        """Call one tool, check every invariant, and return the values worth feeding back."""
        if self.halted:
            if self.result.failure is None:
                raise _Stop
            _raise(self.result.failure)  # shrinking is over: every further candidate "fails" like the best one
        tool = self.tools[index]
        name = str(tool["name"])
        self.steps.append(Step(name, arguments, origins))
        self.result.calls += 1
        self.result.steps += self.searching
        origin = f"step {len(self.steps)} ({name})"

        def failed(kind: str, detail: str) -> FuzzFailure:
            return FuzzFailure(name, "valid", kind, arguments, detail)

        reply, failure = call_tool(self.ctx, name, arguments, self.clock, failed)
        if reply is not None:
            self._notice(reply.notifications)
            failure, _ = judge_valid(tool, reply, failed)
        if failure is not None:
            self._break(failure.kind, "MUST", f"{name} {failure.detail}")
        observed = harvest(reply.result if reply is not None else None, origin)
        listed = self._list_all()
        self._check_announced(listed)
        observed += self._check_readable(listed.get("resources", []), origin)
        fresh = [item for item in observed if repr(item.value) not in self.fed and len(str(item.value)) > 1]
        self.fed.update(repr(item.value) for item in fresh)  # each value enters the bundle once: shrinking
        return fresh  # then removes steps without shifting what later steps refer to

    # -- invariants -----------------------------------------------------------------------------------------

    def _list_all(self) -> dict[str, list[dict[str, Any]]]:
        listed: dict[str, list[dict[str, Any]]] = {}
        for kind, (method, key) in LISTS.items():
            declared = self.ctx.surface.capabilities.get(kind)
            # resources are always re-listed (each must stay readable); the others only matter when changes
            # must be announced
            if isinstance(declared, dict) and (kind == "resources" or declared.get("listChanged") is True):
                listed[kind] = self._walk(method, key)
        return listed

    def _walk(self, method: str, key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: Any = None
        for _ in range(MAX_PAGES):
            reply = self._request(method, {"cursor": cursor} if cursor is not None else {})
            result = reply.result if reply.ok and isinstance(reply.result, dict) else None
            if result is None:
                self._break("protocol-error", "MUST", f"{method} failed after the sequence: {reply.response}")
            items += [item for item in result.get(key, []) if isinstance(item, dict)]
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str):
                break
        return items

    def _request(self, method: str, params: dict[str, Any]) -> Any:
        try:
            reply = self.ctx.wire().request(method, params, timeout=self.ctx.timeout)
        except RequestTimeout as exc:
            self.ctx.reset_wire()
            self._break("hang", "MUST", f"{method} got no answer within {exc.timeout:g} s after the sequence")
        except WireError as exc:
            self.ctx.reset_wire()
            self._break("crash", "MUST", f"{method} after the sequence: {exc}")
        self._notice(reply.notifications)
        return reply

    def _notice(self, notifications: list[Any]) -> None:
        for message in notifications:
            method = message.get("method") if isinstance(message, dict) else None
            for kind in LISTS:
                if method == f"notifications/{kind}/list_changed":
                    self.announced.add(kind)

    def _check_announced(self, listed: dict[str, list[dict[str, Any]]]) -> None:
        for kind, items in listed.items():
            now = self._fingerprint(items)
            if now == self.listings.get(kind):
                continue
            declared = (self.ctx.surface.capabilities.get(kind) or {}).get("listChanged") is True
            if declared and kind not in self.announced and not self._await_announcement(kind):
                self._break("unannounced-list-change", "SHOULD",
                            f"the {kind} listing changed after {self.steps[-1].tool} without "
                            f"notifications/{kind}/list_changed although listChanged is declared",
                            check=f"# the {kind} listing differs from before this call, yet no "
                                  f"notifications/{kind}/list_changed arrived")
            self.listings[kind] = now
            self.announced.discard(kind)

    def _await_announcement(self, kind: str) -> bool:
        """Wait (bounded, on the wire's own inbox) for a list_changed that may trail the change."""
        wire = self.ctx.wire()
        method = f"notifications/{kind}/list_changed"
        waiter = getattr(wire, "next_message", None)
        if callable(waiter):
            return waiter(lambda message: isinstance(message, dict) and message.get("method") == method,
                          ANNOUNCE_WAIT) is not None
        seen = wire.collect(ANNOUNCE_WAIT, until=lambda message: isinstance(message, dict) and message.get("method") == method)
        return any(isinstance(message, dict) and message.get("method") == method for message in seen)

    def _check_readable(self, resources: list[dict[str, Any]], origin: str) -> list[Observed]:
        for item in resources[:MAX_READS]:
            uri = item.get("uri")
            if not isinstance(uri, str):
                continue
            reply = self._request("resources/read", {"uri": uri})
            contents = reply.result.get("contents") if reply.ok and isinstance(reply.result, dict) else None
            if not isinstance(contents, list):
                self._break("unreadable-resource", "SHOULD",
                            f"resource {uri} is listed but resources/read answered {str(reply.response)[:300]}",
                            check=f"mcp_session.read_resource({uri!r})  # listed by resources/list, yet this fails")
        return harvest_listing(resources, f"resources/list after {origin}")

    def _break(self, kind: str, level: str, detail: str, check: str = "") -> None:
        failure = StatefulFailure(kind, level, detail, tuple(self.steps), check)
        if self.searching or self.result.failure is None or len(failure.steps) <= len(self.result.failure.steps):
            self.result.failure = failure
        self.searching = False
        self.clock.shrinking = True
        self.shrink.start()
        _raise(failure)

    @staticmethod
    def _fingerprint(items: list[dict[str, Any]]) -> str:
        return repr(sorted(repr(sorted(item.items())) for item in items))

    # -- Hypothesis -----------------------------------------------------------------------------------------

    def run(self, seed: int) -> None:
        machine = _machine(self)
        run = get_state_machine_test(machine, settings=settings(
            max_examples=10_000, stateful_step_count=self.max_steps, database=None, deadline=None,
            derandomize=False, print_blob=False, report_multiple_bugs=False, verbosity=Verbosity.quiet,
            suppress_health_check=SUPPRESSED, phases=(Phase.generate, Phase.shrink)))
        try:
            hypothesis_seed(seed)(run)()
        except _Stop:
            pass
        except (_Broken, HypothesisException, BaseExceptionGroup):
            # Once halted, a sequence ends at its first step: Hypothesis may call that inconsistent with an
            # earlier run of the same prefix. What we report is our own record, never Hypothesis' replay.
            if self.result.failure is None and not self.halted:
                raise
        finally:
            self.ctx.reset_wire()  # leave no sequence state behind for the checks that follow


def _raise(failure: StatefulFailure) -> None:
    """Raise from one place: Hypothesis tells failures apart by where they were raised."""
    raise _Broken(failure)


def _blocked(tool: dict[str, Any], unsafe: bool) -> str | None:
    annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
    hints = [hint for hint in ("destructiveHint", "openWorldHint") if annotations.get(hint) is True]
    if hints and not unsafe:
        return f"annotated {' and '.join(hints)} (opt in with --mcp-fuzz-all)"
    return None


def _machine(driver: _Driver) -> type[RuleBasedStateMachine]:
    """A state machine class bound to ``driver`` (one class per run: runs in parallel threads share nothing)."""
    count = len(driver.tools)

    class Sequence(RuleBasedStateMachine):
        observed = Bundle("observed")

        def __init__(self) -> None:
            super().__init__()
            driver.begin()

        @rule(target=observed, index=st.integers(0, count - 1), data=st.data())
        def call(self, index: int, data: st.DataObject) -> Any:
            arguments = data.draw(driver.strategies[index], label="arguments")
            return multiple(*driver.step(index, arguments, {}))

        @precondition(lambda self: True)
        @rule(target=observed, index=st.integers(0, count - 1), value=observed, data=st.data())
        def call_with_observed(self, index: int, value: Observed, data: st.DataObject) -> Any:
            arguments = data.draw(driver.strategies[index], label="arguments")
            names = _slots(driver.tools[index], arguments, value.value)
            origins: dict[str, str] = {}
            if names:
                name = data.draw(st.sampled_from(names), label="slot")
                arguments = {**arguments, name: value.value}
                origins[name] = value.origin
            return multiple(*driver.step(index, arguments, origins))

    return Sequence


def _slots(tool: dict[str, Any], arguments: dict[str, Any], value: Any) -> list[str]:
    """Top-level argument names that may take ``value`` with the arguments staying schema-valid."""
    schema = tool.get("inputSchema") or {}
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    validator = schema_validator(schema)
    return [name for name in properties if validator.is_valid({**arguments, name: value})]
