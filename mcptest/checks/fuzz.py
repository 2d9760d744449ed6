"""Property checks (FUZZ-*): every tool fuzzed with Hypothesis, valid and invalid arguments, shrunk failures."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcptest.checks.base import CheckContext, call_blocked, check
from mcptest.checks.calls import call_line, needs_task
from mcptest.findings import NotApplicable, Violation

if TYPE_CHECKING:
    from mcptest.fuzz.judge import FuzzFailure
    from mcptest.fuzz.runner import FuzzStats

EXPECTED = {
    "FUZZ-01": "an answer to every fuzzed call: the server neither crashes nor hangs",
    "FUZZ-02": "a rejection (an isError result or any JSON-RPC error) for every schema-invalid input",
    "TOOL-13": "a tool result for schema-valid arguments (failures as isError: true), not a JSON-RPC error",
    "TOOL-05": "a well-formed tools/call result: a content array of valid blocks, isError a boolean if present",
    "TOOL-06": "structuredContent valid against the tool's outputSchema",
}
"""What each requirement a fuzz failure can break expects, in a phrase (see ``judge.KIND_REQUIREMENT``)."""


@dataclass(frozen=True)
class _Found:
    """A crash or hang the search found and shrank alongside other checks: the re-run alone replays its input."""

    failure: FuzzFailure
    actual: str


def fuzz_blocked(ctx: CheckContext, tool: dict[str, Any]) -> str | None:
    """Why ``tool`` must not be fuzzed (fuzzing off, unsafe annotations, name filters), or None."""
    if ctx.settings.fuzz_examples == 0:
        return "fuzzing is off (--mcp-fuzz-examples 0)"
    return (call_blocked(ctx.settings, tool, unsafe_ok=ctx.settings.fuzz_all, opt_in="--mcp-fuzz-all")
            or needs_task(ctx, tool))


def regression_test(tool: str, arguments: dict[str, Any], failure: FuzzFailure) -> str:
    """A ready-to-paste pytest function that pins the fixed behaviour for this input."""
    safe = "".join(c if c.isalnum() else "_" for c in tool).strip("_") or "tool"
    valid = failure.mode == "valid"
    expect = ("assert not result.is_error, result.content" if valid
              else "assert result.is_error  # the invalid arguments must be rejected")
    return (
        f"    def test_{safe}_{'handles' if valid else 'rejects'}_fuzzed_input(mcp_session):\n"
        f"        result = mcp_session.call_tool({tool!r}, {json.dumps(arguments)!s})\n"
        f"        {expect}"
    )


def fuzz_tool_check(ctx: CheckContext, tool: dict[str, Any], mode: str) -> FuzzStats:
    """Fuzz ``tool`` in ``mode`` within the budget; raises NotApplicable or a Violation naming the minimal failing
    input, else returns what ran and notes it on the Finding when the search was cut short."""
    from mcptest.fuzz.budget import fuzz_budget
    from mcptest.fuzz.runner import fuzz_tool
    from mcptest.fuzz.schema import UnsupportedSchema

    blocked = fuzz_blocked(ctx, tool)
    if blocked:
        raise NotApplicable(blocked)
    again = _replayed_alone(ctx, tool, mode)
    if again is not None:
        raise again
    seed = ctx.settings.seed or 0
    # the versions checked share the examples and the time, each drawing different ones (its version salts the
    # seed, so --mcp-seed with --mcp-protocol VERSION draws them again): fuzzing judges the tool, and a second
    # version re-sending the same inputs would double the cost and show nothing new
    share = max(1, ctx.state.fuzz_share)
    examples = -(-ctx.settings.fuzz_examples // share)
    try:
        failure, stats = fuzz_tool(ctx, tool, mode,  # type: ignore[arg-type]
                                   examples=examples, seed=seed, salt=ctx.version,
                                   budget=fuzz_budget(ctx.settings) / share)
    except UnsupportedSchema as exc:
        raise NotApplicable(f"cannot generate {mode} arguments: {exc.reason}") from None
    _note_stats(ctx, stats)
    if failure is None and stats.examples == 0:
        raise NotApplicable(f"no {mode} example was judged ({stats.summary()}), so nothing was shown")
    if failure is None:
        return stats
    broken = f" ({failure.mutation})" if failure.mutation else ""
    actual = (f"{failure.kind}: {failure.detail}\n  minimal input{broken}: {json.dumps(failure.arguments)}\n"
              f"  seed: --mcp-seed {seed} (tool seed derived from it); {stats.summary()}\n"
              f"  reproduce by hand: {call_line(ctx, failure.tool, failure.arguments)}\n"
              f"  regression test:\n{regression_test(failure.tool, failure.arguments, failure)}")
    raise _violation(ctx, failure, actual)


def _violation(ctx: CheckContext, failure: FuzzFailure, actual: str) -> Violation:
    """The finding for ``failure``; a crash or hang is transient (confirmed alone, see ``_replayed_alone``)."""
    transient = failure.kind if failure.kind in ("crash", "hang") else ""
    return ctx.violation(failure.requirement, EXPECTED[failure.requirement], actual,
                         sent={"name": failure.tool, "arguments": failure.arguments}, transient=transient,
                         recheck=_Found(failure, actual) if transient else None)


def _replayed_alone(ctx: CheckContext, tool: dict[str, Any], mode: str) -> Violation | None:
    """On the re-run alone of a crash or hang: call the shrunk input once, with the full timeout, on this fresh
    connection. The same failure again confirms it (the input alone causes it); anything else searches anew."""
    from mcptest.fuzz.judge import CallClock, call_and_judge

    found = ctx.recheck
    if not isinstance(found, _Found) or (found.failure.tool, found.failure.mode) != (tool.get("name"), mode):
        return None
    first = found.failure
    again, _ = call_and_judge(ctx, tool, first.arguments, first.mode, first.mutation, CallClock(ctx.timeout))
    if again is None or again.kind != first.kind:
        return None
    return _violation(ctx, again, found.actual)


def _note_stats(ctx: CheckContext, stats: FuzzStats) -> None:
    """Say on the Finding when fewer examples ran than asked for, and why; and a failure that did not recur."""
    if stats.examples < stats.planned and not stats.failing:
        ctx.note(f"{stats.summary()} (--mcp-fuzz-budget / --mcp-fuzz-examples)" if stats.cut_by_budget
                 else stats.summary())
    if stats.unconfirmed is not None:
        seen = stats.unconfirmed
        ctx.note(f"seen once while searching, not on replay (so not reported): {seen.kind} for "
                 f"{json.dumps(seen.arguments)[:200]}: {seen.detail[:200]}")


@check("FUZZ-01", "fuzz", "valid arguments never break the tool", scope="tool", phase="serial")
def fuzz_valid(ctx: CheckContext, tool: dict[str, Any]) -> None:
    fuzz_tool_check(ctx, tool, "valid")


@check("FUZZ-02", "fuzz", "invalid arguments are always rejected", scope="tool", phase="serial")
def fuzz_invalid(ctx: CheckContext, tool: dict[str, Any]) -> None:
    fuzz_tool_check(ctx, tool, "invalid")
