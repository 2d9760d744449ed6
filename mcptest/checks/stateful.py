"""Stateful checks (STATE-*): sequences of safe tool calls, each from a fresh server state, keep the server's
invariants; one search per version (``--mcp-stateful``) serves the four checks, each reporting its own kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcptest.checks.base import CheckContext, check
from mcptest.checks.fuzz import EXPECTED as CALL_EXPECTED
from mcptest.findings import NotApplicable

if TYPE_CHECKING:
    from mcptest.fuzz.stateful import StatefulResult

BUDGET_FACTOR = 4
"""The search budget is this many times --mcp-fuzz-budget (20 s by default): a sequence costs a fresh server."""
OFF = "off: --mcp-stateful turns it on"
OWNS = {"STATE-01": ("STATE-01", "TOOL-13", "TOOL-05"), "STATE-02": ("STATE-02",), "STATE-03": ("STATE-03",),
        "STATE-04": ("STATE-04",)}
"""Which check reports a failure of which requirement (a sequence that makes a call fail as a single call would
is STATE-01's to report, at that call's requirement)."""
EXPECTED = {
    **CALL_EXPECTED,
    "STATE-01": "every request answered after any sequence of safe calls: no crash, no hang",
    "STATE-02": "structured results that still match their tool's outputSchema after any sequence of calls",
    "STATE-03": "every listed resource still readable after any sequence of calls",
    "STATE-04": "notifications/<kind>/list_changed whenever a listing changed (listChanged is declared)",
}


def stateful_result(ctx: CheckContext) -> StatefulResult:
    """The version's stateful run, searched once for all STATE checks (NotApplicable when off or impossible)."""
    if not ctx.settings.stateful:
        raise NotApplicable(OFF)

    def search() -> StatefulResult:
        from mcptest.fuzz.budget import fuzz_budget
        from mcptest.fuzz.schema import UnsupportedSchema
        from mcptest.fuzz.stateful import run_stateful

        try:
            return run_stateful(ctx, budget=BUDGET_FACTOR * fuzz_budget(ctx.settings))
        except UnsupportedSchema as exc:
            raise NotApplicable(f"no call sequence can be driven: {exc.reason}") from None

    return ctx.memo("stateful", search)


def judge(ctx: CheckContext, req_id: str) -> None:
    """Report the run's failure when it is ``req_id``'s, else pass with what ran (or n/a with why not)."""
    result = stateful_result(ctx)
    if result.initial:
        raise NotApplicable(f"the invariants did not hold before any call ({result.initial[:200]}); nothing a "
                            "sequence changes can be judged until that is fixed (the feature's own checks report it)")
    if result.sequences == 0:
        raise NotApplicable(f"no sequence ran within the {result.budget:g} s budget (raise --mcp-fuzz-budget)")
    failure = result.failure
    if failure is not None and failure.requirement in OWNS[req_id]:
        flags = " --mcp-stateful" + (" --mcp-fuzz-all" if ctx.settings.fuzz_all else "")
        raise ctx.violation(failure.requirement, EXPECTED[failure.requirement], result.report(ctx.settings.seed or 0),
                            sent=[{"name": step.tool, "arguments": step.arguments} for step in failure.steps],
                            reproduce=f"the regression test above, or the pytest line with{flags}",
                            transient=failure.kind if failure.kind in ("crash", "hang") else "")
    ctx.note(result.summary())
    if failure is not None:
        ctx.note(f"the search stopped at {failure.requirement}'s failure ({failure.kind}), reported by its own "
                 "check: sequences past it were not tried")
    if result.unconfirmed:
        ctx.note(f"not reported, as it did not reproduce: {result.unconfirmed}")
    if result.caveat:
        ctx.note(result.caveat)


def _driven_with_output_schema(ctx: CheckContext, result: StatefulResult) -> list[str]:
    tools = {str(tool.get("name")): tool for tool in ctx.surface.items("tools")}
    return [name for name in result.tools if isinstance(tools.get(name, {}).get("outputSchema"), dict)]


@check("STATE-01", "stateful", "the server keeps answering after any sequence of safe calls", phase="serial")
def state_alive(ctx: CheckContext) -> None:
    judge(ctx, "STATE-01")


@check("STATE-02", "stateful", "structured results keep matching outputSchema", phase="serial")
def state_output(ctx: CheckContext) -> None:
    result = stateful_result(ctx)
    if not _driven_with_output_schema(ctx, result):
        raise NotApplicable("none of the tools the sequences call declares an outputSchema")
    judge(ctx, "STATE-02")


@check("STATE-03", "stateful", "listed resources stay readable", phase="serial")
def state_resources(ctx: CheckContext) -> None:
    stateful_result(ctx)
    ctx.require("resources")
    judge(ctx, "STATE-03")


@check("STATE-04", "stateful", "changed listings are announced", phase="serial")
def state_announced(ctx: CheckContext) -> None:
    from mcptest.fuzz.stateful import judges_announcements

    stateful_result(ctx)
    declared = [kind for kind in ("tools", "resources", "prompts") if _list_changed(ctx.surface.capabilities.get(kind))]
    if not declared:
        raise NotApplicable("the server declares listChanged for none of tools, resources and prompts")
    why = judges_announcements(ctx)
    if why is not None:
        raise NotApplicable(why)
    judge(ctx, "STATE-04")


def _list_changed(capability: Any) -> bool:
    return isinstance(capability, dict) and capability.get("listChanged") is True
