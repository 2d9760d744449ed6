"""Fuzz one tool through a live server with Hypothesis: valid inputs must work, invalid ones be rejected."""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import HypothesisException

from mcptest.checks.calls import needs_input
from mcptest.fuzz.mutations import invalid_tool_arguments
from mcptest.fuzz.schema import UnsupportedSchema, schema_validator
from mcptest.fuzz.strategies import tool_arguments
from mcptest.spec.shapes import content_problems
from mcptest.wire import RequestTimeout, WireError

if TYPE_CHECKING:
    from mcptest.checks.base import CheckContext

Mode = Literal["valid", "invalid"]
SHRINK_CALLS = 80
SHRINK_SECONDS = 30.0
SHRINK_HANG_FLOOR = 0.5
LAX_KINDS = frozenset({"coercible-type"})
"""Mutation kinds lax validators (pydantic's default mode) accept; left out of the MUST property."""


@dataclass(frozen=True)
class FuzzFailure:
    """A minimal input that breaks the property, and how."""

    tool: str
    mode: Mode
    kind: str
    arguments: dict[str, Any]
    detail: str
    mutation: str = ""


@dataclass
class FuzzStats:
    """What one fuzz run did."""

    calls: int = 0
    tool_errors: int = 0
    seconds: float = 0.0
    restarts: int = 0
    slowest_ok: float = 0.0
    shrinking: bool = False
    failing: list[FuzzFailure] = field(default_factory=list)

    def call_timeout(self, timeout: float) -> float:
        """The bound on one call: the run's timeout; while shrinking a known failure, a multiple of the
        slowest answered call, so each hanging shrink candidate costs seconds (the shrunk input is
        verified against the full timeout afterwards)."""
        if self.shrinking:
            return min(timeout, max(SHRINK_HANG_FLOOR, 3 * self.slowest_ok))
        return timeout


class _Falsified(Exception):
    def __init__(self, failure: FuzzFailure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


def tool_seed(seed: int, tool: str, mode: Mode) -> int:
    """The per-tool seed derived from the run's seed (stable across runs and processes)."""
    return zlib.crc32(f"{seed}:{tool}:{mode}".encode()) & 0xFFFFFFFF


def fuzz_tool(ctx: CheckContext, tool: dict[str, Any], mode: Mode, *, examples: int, seed: int) -> tuple[FuzzFailure | None, FuzzStats]:
    """Run ``examples`` Hypothesis examples of ``mode`` arguments against ``tool``.

    Returns:
        The minimal failing input (None when the property held) and run statistics.

    Raises:
        UnsupportedSchema: the inputSchema cannot be fuzzed (the reason says why).
    """
    stats = FuzzStats()
    name = str(tool.get("name"))
    strategy = tool_arguments(tool) if mode == "valid" else invalid_tool_arguments(tool).filter(lambda m: m.kind not in LAX_KINDS)
    budget = _ShrinkBudget()

    @settings(
        max_examples=examples, database=None, deadline=None, derandomize=False, print_blob=False,
        report_multiple_bugs=False, verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
    )
    @hypothesis_seed(tool_seed(seed, name, mode))
    @given(strategy)
    def prop(value: Any) -> None:
        arguments, mutation = (value, "") if mode == "valid" else (value.arguments, value.description)
        if budget.exhausted() and not budget.is_best(arguments):
            return  # shrinking budget spent: keep the smallest failure found so far
        failure = probe(ctx, tool, arguments, mode, mutation, stats)
        if failure is not None:
            stats.shrinking = True
            budget.record(arguments)
            stats.failing.append(failure)
            raise _Falsified(failure)

    started = time.monotonic()
    try:
        prop()
    except (_Falsified, HypothesisException, BaseExceptionGroup) as exc:
        falsified = _find_falsified(exc)
        if falsified is None:
            raise
        return _confirmed(ctx, tool, falsified.failure, stats), _finish(stats, started)
    return None, _finish(stats, started)


def _confirmed(ctx: CheckContext, tool: dict[str, Any], failure: FuzzFailure, stats: FuzzStats) -> FuzzFailure:
    """A shrunk hang is re-checked against the full timeout; if it was only slow, the first (unshrunk)
    input that really exceeded the timeout is reported instead."""
    if failure.kind != "hang" or not stats.failing:
        return failure
    stats.shrinking = False
    again = probe(ctx, tool, failure.arguments, failure.mode, failure.mutation, stats)
    if again is not None and again.kind == "hang":
        return again
    first = stats.failing[0]
    return FuzzFailure(first.tool, first.mode, first.kind, first.arguments,
                       first.detail + " (shrunk inputs only ran slower than the shrink bound; this is the input as first found)",
                       first.mutation)


def _finish(stats: FuzzStats, started: float) -> FuzzStats:
    stats.seconds = time.monotonic() - started
    return stats


def _find_falsified(exc: BaseException) -> _Falsified | None:
    if isinstance(exc, _Falsified):
        return exc
    for inner in getattr(exc, "exceptions", ()) or ():
        found = _find_falsified(inner)
        if found is not None:
            return found
    return _find_falsified(exc.__cause__) if exc.__cause__ is not None else None


class _ShrinkBudget:
    """Bounds shrinking: after the first failure, at most SHRINK_CALLS calls or SHRINK_SECONDS seconds."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.calls = 0
        self.best: str | None = None

    def record(self, arguments: dict[str, Any]) -> None:
        text = json.dumps(arguments, sort_keys=True)
        if self.first is None:
            self.first = time.monotonic()
        if self.best is None or len(text) <= len(self.best):
            self.best = text

    def exhausted(self) -> bool:
        if self.first is None:
            return False
        self.calls += 1
        return self.calls > SHRINK_CALLS or time.monotonic() - self.first > SHRINK_SECONDS

    def is_best(self, arguments: dict[str, Any]) -> bool:
        return json.dumps(arguments, sort_keys=True) == self.best


def probe(ctx: CheckContext, tool: dict[str, Any], arguments: dict[str, Any], mode: Mode, mutation: str, stats: FuzzStats) -> FuzzFailure | None:
    """Call ``tool`` once and judge the answer; restarts the server when it died or hung."""
    name = str(tool.get("name"))

    def failed(kind: str, detail: str) -> FuzzFailure:
        return FuzzFailure(name, mode, kind, arguments, detail, mutation)

    before = ctx.restarts
    wire = ctx.wire()
    stats.restarts += ctx.restarts - before
    stats.calls += 1
    started = time.monotonic()
    try:
        reply = wire.request("tools/call", {"name": name, "arguments": arguments}, timeout=stats.call_timeout(ctx.timeout))
        stats.slowest_ok = max(stats.slowest_ok, time.monotonic() - started)
    except RequestTimeout as exc:
        ctx.reset_wire()
        return failed("hang", f"no answer within {exc.timeout:g} s")
    except WireError as exc:
        ctx.reset_wire()
        return failed("crash", str(exc))
    if mode == "invalid":
        return _judge_invalid(reply, failed)
    return _judge_valid(tool, reply, failed, stats)


def _judge_invalid(reply: Any, failed: Any) -> FuzzFailure | None:
    if needs_input(reply):
        return None  # 2026-07-28: asking for client input first is no success
    if reply.ok and isinstance(reply.result, dict) and reply.result.get("isError") is True:
        return None
    if not reply.ok and reply.error_code == -32602:
        return None
    if reply.ok:
        return failed("accepted-invalid", f"the invalid arguments were accepted: {json.dumps(reply.result)[:300]}")
    return failed("wrong-error", f"answered {json.dumps(reply.error)[:300]} instead of an isError result or -32602")


def _judge_valid(tool: dict[str, Any], reply: Any, failed: Any, stats: FuzzStats) -> FuzzFailure | None:
    if needs_input(reply):
        return None  # 2026-07-28: the tool needs client input (MOD-10..23 judge that), not a failure
    if not reply.ok:
        return failed("protocol-error", f"JSON-RPC error for schema-valid arguments: {json.dumps(reply.response.get('error'))[:300]}")
    result = reply.result if isinstance(reply.result, dict) else {}
    content = result.get("content")
    problems = [] if isinstance(content, list) else [f"content is not an array: {json.dumps(content)[:100]}"]
    for index, block in enumerate(content if isinstance(content, list) else []):
        problems += content_problems(block, None, f"content[{index}]")
    if problems:
        return failed("bad-result", "; ".join(problems[:3]))
    if result.get("isError") is True:
        stats.tool_errors += 1
        return None
    schema = tool.get("outputSchema")
    if isinstance(schema, dict):
        if "structuredContent" not in result:
            return failed("output-schema", "no structuredContent although the tool declares an outputSchema")
        errors = list(schema_validator(schema).iter_errors(result["structuredContent"]))
        if errors:
            return failed("output-schema", f"structuredContent does not match outputSchema: {errors[0].message[:200]}")
    return None


__all__ = ["FuzzFailure", "FuzzStats", "UnsupportedSchema", "fuzz_tool", "tool_seed"]
