"""Schema conformance (BASE-18): every result, notification and server request against its version's schema."""

from __future__ import annotations

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.schema_shapes import judge
from mcptest.findings import NotApplicable
from mcptest.observe import SHAPE_JUDGES

if judge not in SHAPE_JUDGES:
    SHAPE_JUDGES.append(judge)

_SHOWN = 5


@check("BASE-18", "schema", "every message has its schema's shape", phase="observe")
def messages_match_schema(ctx: CheckContext) -> None:
    judge_backlog = getattr(ctx.handle.observer, "judge_backlog", None)
    if judge_backlog is not None:
        judge_backlog()  # what came during discovery, before this module registered its judge
    seen = ctx.observed
    if seen.judge_errors:
        raise RuntimeError(f"mcptest could not judge a message's shape: {seen.judge_errors[0]}")
    if not seen.shapes_judged:
        raise NotApplicable(f"no result, notification or server request of a method the {ctx.version} schema "
                            "defines was seen")
    if not seen.shape_problems:
        return
    # the example shown is the same whatever order concurrent answers arrived in (a report must be reproducible)
    first = min(seen.shape_problems, key=lambda p: (p.method, p.kind, tuple(p.problems)))
    what = f"the {first.method} {first.kind}"
    problems = list(first.problems[:_SHOWN]) + ([f"... {len(first.problems) - _SHOWN} more"]
                                                if len(first.problems) > _SHOWN else [])
    others = sorted({f"{p.method} {p.kind}" for p in seen.shape_problems} - {f"{first.method} {first.kind}"})
    tail = f"\n  also malformed: {', '.join(others)}" if others else ""
    actual = (f"{what} does not fit the {ctx.version} schema:\n    " + "\n    ".join(problems) +
              f"\n  message: {show(first.message, 400)}\n  ({len(seen.shape_problems)} of {seen.shapes_judged} "
              f"messages judged over {first.transport} were malformed){tail}")
    raise ctx.violation("BASE-18", f"every result, notification and request shaped as the {ctx.version} schema "
                        "defines it", actual, sent=first.request)
