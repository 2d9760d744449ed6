"""Property checks (FUZZ-*): every tool fuzzed with Hypothesis, valid and invalid arguments, shrunk failures."""

from __future__ import annotations

import fnmatch
import json
from typing import TYPE_CHECKING, Any

from mcptest.checks.base import CheckContext, check
from mcptest.checks.calls import call_line
from mcptest.findings import NotApplicable

if TYPE_CHECKING:
    from mcptest.fuzz.runner import FuzzStats


def fuzz_blocked(ctx: CheckContext, tool: dict[str, Any]) -> str | None:
    """Why ``tool`` must not be fuzzed (fuzzing off, unsafe annotations, name filters), or None."""
    settings = ctx.settings
    name = str(tool.get("name"))
    if settings.fuzz_examples == 0:
        return "fuzzing is off (--mcp-fuzz-examples 0)"
    if settings.tools and not any(fnmatch.fnmatchcase(name, p) for p in settings.tools):
        return f"tool {name!r} is not selected by --mcp-tools"
    if any(fnmatch.fnmatchcase(name, p) for p in settings.skip_tools):
        return f"tool {name!r} is excluded by --mcp-skip-tools"
    annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
    unsafe = [hint for hint in ("destructiveHint", "openWorldHint") if annotations.get(hint) is True]
    if unsafe and not settings.fuzz_all:
        return f"tool {name!r} is annotated {' and '.join(unsafe)}: not fuzzed (opt in with --mcp-fuzz-all)"
    return None


def regression_test(ctx: CheckContext, tool: str, arguments: dict[str, Any], mode: str) -> str:
    """A ready-to-paste pytest function that pins the fixed behaviour for this input."""
    safe = "".join(c if c.isalnum() else "_" for c in tool).strip("_") or "tool"
    expect = "assert not result.is_error, result.content" if mode == "valid" else "assert result.is_error  # the invalid arguments must be rejected"
    return (
        f"    def test_{safe}_{'handles' if mode == 'valid' else 'rejects'}_fuzzed_input(mcp_session):\n"
        f"        result = mcp_session.call_tool({tool!r}, {json.dumps(arguments)!s})\n"
        f"        {expect}"
    )


def fuzz_tool_check(ctx: CheckContext, tool: dict[str, Any], mode: str) -> FuzzStats:
    """Fuzz ``tool`` in ``mode`` within the budget; raises NotApplicable or a Violation naming the minimal failing
    input, else returns what ran (``stats.summary()``: e.g. "12 of 25 examples within the 5 s budget")."""
    from mcptest.fuzz.runner import fuzz_tool
    from mcptest.fuzz.schema import UnsupportedSchema

    blocked = fuzz_blocked(ctx, tool)
    if blocked:
        raise NotApplicable(blocked)
    seed = ctx.settings.seed or 0
    try:
        failure, stats = fuzz_tool(ctx, tool, mode, examples=ctx.settings.fuzz_examples, seed=seed)  # type: ignore[arg-type]
    except UnsupportedSchema as exc:
        raise NotApplicable(f"cannot generate {mode} arguments: {exc.reason}") from None
    if failure is None:
        return stats
    req = "FUZZ-01" if mode == "valid" else "FUZZ-02"
    broken = f" ({failure.mutation})" if failure.mutation else ""
    actual = (f"{failure.kind}: {failure.detail}\n  minimal input{broken}: {json.dumps(failure.arguments)}\n"
              f"  seed: --mcp-seed {seed} (tool seed derived from it); {stats.summary()}\n  reproduce by hand: {call_line(ctx, failure.tool, failure.arguments)}\n"
              f"  regression test:\n{regression_test(ctx, failure.tool, failure.arguments, mode)}")
    expected = "a tool result for every schema-valid input" if mode == "valid" else "an isError result or -32602 for every invalid input"
    transient = failure.kind if failure.kind in ("crash", "hang") else ""
    raise ctx.violation(req, expected, actual, sent={"name": failure.tool, "arguments": failure.arguments},
                        transient=transient)


@check("FUZZ-01", "fuzz", "valid arguments never break the tool", scope="tool", phase="serial")
def fuzz_valid(ctx: CheckContext, tool: dict[str, Any]) -> None:
    fuzz_tool_check(ctx, tool, "valid")


@check("FUZZ-02", "fuzz", "invalid arguments are always rejected", scope="tool", phase="serial")
def fuzz_invalid(ctx: CheckContext, tool: dict[str, Any]) -> None:
    fuzz_tool_check(ctx, tool, "invalid")
