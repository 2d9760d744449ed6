"""Tool-level task negotiation at 2025-11-25 (CAP-04, CAP-06): which calls a server must refuse with -32601."""

from __future__ import annotations

from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import task_support, tasks_for_tool_calls
from mcptest.checks.examples import example_arguments
from mcptest.findings import NotApplicable

TASK_TTL_MS = 60_000


def _task_tool(ctx: CheckContext, tool: dict[str, Any], wanted: tuple[str, ...]) -> dict[str, Any]:
    """Example arguments for ``tool`` when the rule applies to it (tasks declared, its taskSupport in ``wanted``)."""
    if not tasks_for_tool_calls(ctx):
        raise NotApplicable("the server does not declare tasks.requests.tools.call, so no tool call is a task")
    support = task_support(tool)
    if support not in wanted:
        raise NotApplicable(f"tool {tool.get('name')!r} has execution.taskSupport {support!r}")
    blocked = ctx.tool_call_blocked(tool)
    if blocked:
        raise NotApplicable(blocked)
    return example_arguments(tool.get("inputSchema"))


@check("CAP-04", "lifecycle", "a task-augmented call of a task-forbidden tool gets -32601", scope="tool")
def task_call_of_forbidden_tool(ctx: CheckContext, tool: dict[str, Any]) -> None:
    arguments = _task_tool(ctx, tool, ("forbidden",))
    wire = ctx.wire()
    params = {"name": tool.get("name"), "arguments": arguments, "task": {"ttl": TASK_TTL_MS}}
    reply = wire.request("tools/call", params, progress=False)
    if reply.error_code != -32601:
        raise ctx.violation("CAP-04", f"-32601 (Method not found) for a task-augmented call of {tool.get('name')!r}, "
                            "whose taskSupport is forbidden (or absent)", show(reply.response), wire=wire,
                            sent=reply.request)


@check("CAP-06", "lifecycle", "a plain call of a task-required tool gets -32601", scope="tool")
def plain_call_of_required_tool(ctx: CheckContext, tool: dict[str, Any]) -> None:
    arguments = _task_tool(ctx, tool, ("required",))
    wire = ctx.wire()
    reply = wire.request("tools/call", {"name": tool.get("name"), "arguments": arguments})
    if reply.error_code != -32601:
        raise ctx.violation("CAP-06", f"-32601 (Method not found) for a plain call of {tool.get('name')!r}, whose "
                            "taskSupport is required", show(reply.response), wire=wire, sent=reply.request)
