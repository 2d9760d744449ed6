"""The official suite's tasks-extension (SEP-2663) fixtures: a synchronous tool, task-capable tools that compute,
fail, crash with a protocol error, or park for input, and one that gathers input before it becomes a task."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import INTERNAL_ERROR, CallToolResult, InputRequiredResult
from pydantic import Field

from reference_server.conformance.content import text_result
from reference_server.conformance.mrtr import NAME
from reference_server.presentation import mrtr
from reference_server.tasks import TasksExtension, TaskSupport

Outcome = CallToolResult | InputRequiredResult
SYNC_SECONDS = 2  # slow_compute answers synchronously up to this long; longer runs need a task
CONFIRM = {"type": "object", "properties": {"confirm": {"type": "boolean"}}, "required": ["confirm"]}


def _sync_limit(arguments: Mapping[str, Any]) -> str | None:
    seconds = arguments.get("seconds", 0)
    if isinstance(seconds, int | float) and seconds > SYNC_SECONDS:
        return f"a {seconds:g} s computation is longer than the {SYNC_SECONDS} s this server serves synchronously"
    return None


async def _ask_name(ctx: Context) -> InputRequiredResult | None:
    """test_tool_with_task's input, gathered before the task exists (SEP-2663: MRTR first, then the task)."""
    if mrtr.accepted(ctx, "user_name") is not None:
        return None
    return mrtr.ask(ctx, {"user_name": mrtr.elicitation("What is your name?", NAME)}, what="test_tool_with_task")


def register_tasks_fixtures(mcp: MCPServer, tasks: TasksExtension) -> None:
    """``greet``, ``slow_compute``, ``failing_job``, ``protocol_error_job``, ``confirm_delete``, ``multi_input``,
    ``test_tool_with_task``."""

    @mcp.tool()
    def greet(name: Annotated[str, Field(max_length=200)]) -> CallToolResult:
        """Synchronous only: returns "Hello, {name}!"."""
        return text_result(f"Hello, {name}!")

    @mcp.tool()
    async def slow_compute(
        seconds: Annotated[int, Field(ge=0, le=600, description="How long the computation takes")] = 1,
        label: Annotated[str, Field(max_length=200)] = "",
    ) -> CallToolResult:
        """Sleeps `seconds`, then returns. Runs as a task when the request declares the tasks extension; without
        it, only computations of up to 2 s are served (longer ones need a task)."""
        await anyio.sleep(seconds)
        return text_result(f"computed {label or 'the result'} in {seconds} s")

    @mcp.tool()
    async def failing_job() -> CallToolResult:
        """Task only: works for about a second, then fails with a tool error (isError: true)."""
        await anyio.sleep(1)
        raise ToolError("the job failed: its input data set is empty")

    @mcp.tool()
    async def protocol_error_job() -> CallToolResult:
        """Task only: fails with a JSON-RPC (protocol) error, so the task ends in status failed."""
        await anyio.sleep(0.2)
        raise MCPError(code=INTERNAL_ERROR, message="the job's backend went away")

    @mcp.tool()
    def confirm_delete(filename: Annotated[str, Field(min_length=1, max_length=200)], ctx: Context) -> Outcome:
        """Task only: asks the user to confirm (the task waits in input_required), then reports the decision.
        A fixture: nothing is deleted."""
        answer = mrtr.accepted(ctx, "confirm")
        if answer is None:
            question = mrtr.elicitation(f"Delete {filename}?", CONFIRM)
            return mrtr.ask(ctx, {"confirm": question}, what="confirm_delete")
        verdict = "confirmed" if answer.get("confirm") is True else "refused"
        return text_result(f"deletion of {filename} {verdict} (a fixture: nothing was deleted)")

    @mcp.tool()
    def multi_input(ctx: Context) -> Outcome:
        """Task only: asks two questions at once; the task stays input_required until both are answered."""
        first, second = mrtr.accepted(ctx, "first_name"), mrtr.accepted(ctx, "confirmation")
        if first is None or second is None:
            questions = {
                "first_name": mrtr.elicitation("What is your name?", NAME),
                "confirmation": mrtr.elicitation("Proceed?", CONFIRM),
            }
            unanswered = {key: q for key, q in questions.items() if mrtr.accepted(ctx, key) is None}
            return mrtr.ask(ctx, unanswered, what="multi_input")
        return text_result(f"received both answers: {first.get('name')!r}, confirm={second.get('confirm')!r}")

    @mcp.tool()
    async def test_tool_with_task(ctx: Context) -> CallToolResult:
        """Task only: asks the user's name first (input-required), then greets them from a task."""
        answer = mrtr.accepted(ctx, "user_name")
        if answer is None:  # a task is created only once the name is known (see the gather step)
            raise ToolError("test_tool_with_task needs the user_name answer")
        await anyio.sleep(0.2)
        return text_result(f"Hello, {answer.get('name')}! (greeted from a task)")

    tasks.support("slow_compute", TaskSupport(sync_limit=_sync_limit))
    for name in ("failing_job", "protocol_error_job", "confirm_delete", "multi_input"):
        tasks.support(name, TaskSupport(required=True))
    tasks.support("test_tool_with_task", TaskSupport(required=True, gather=_ask_name))
