"""The ``io.modelcontextprotocol/tasks`` extension (SEP-2663) on the SDK's extension hooks: ``tasks/get``,
``tasks/update`` and ``tasks/cancel`` as extension methods, and a ``tools/call`` interceptor that runs a
task-capable tool in the background and answers with a ``CreateTaskResult`` when the request declared the
extension. mcp 2.3.0 ships the hooks (``Extension``, ``MethodBinding``, ``intercept_tool_call``) but no tasks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import mcp.types as types
from anyio.abc import TaskGroup
from mcp.server import MCPServer
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver import Context, Extension, MethodBinding, require_client_extension
from mcp.server.subscriptions import SubscriptionBus
from mcp.shared.exceptions import MCPError
from mcp.types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from reference_server.tasks.session import TaskSession, task_request_context
from reference_server.tasks.store import InvalidAnswer, TaskRecord, TaskStore, new_key
from reference_server.tasks.wire import created, detailed

logger = logging.getLogger(__name__)
TASKS = "io.modelcontextprotocol/tasks"
MAX_INPUT_ROUNDS = 20
Gather = Callable[[Context], Awaitable[types.InputRequiredResult | None]]


@dataclass(frozen=True)
class TaskSupport:
    """How a tool takes part in the extension.

    Attributes:
        required: The tool cannot be served without a task: a request that did not declare the extension gets
            -32021 (2026-07-28) or a tool error (handshake era, which has no tasks).
        sync_limit: Given the arguments, why a call cannot be served synchronously (it would take too long), or
            None when it can; a refused call is answered like ``required``.
        gather: Input to collect with input-required results *before* the task is created (SEP-2663: resolve
            multi-round-trip exchanges synchronously first); returns None once everything is there.
    """

    required: bool = False
    sync_limit: Callable[[Mapping[str, Any]], str | None] | None = None
    gather: Gather | None = None


class TaskIdParams(types.RequestParams):
    """``tasks/get`` and ``tasks/cancel`` params."""

    task_id: str = Field(alias="taskId", min_length=1)


class UpdateTaskParams(TaskIdParams):
    """``tasks/update`` params: answers are checked against their requests, unknown keys ignored."""

    input_responses: dict[str, Any] = Field(alias="inputResponses")


class TasksExtension(Extension):
    """Serves the extension for the tools registered with ``support``; ``bind`` it to its server first."""

    identifier = TASKS

    def __init__(self, store: TaskStore) -> None:
        self.store = store
        self._support: dict[str, TaskSupport] = {}
        self._groups: list[TaskGroup] = []
        self._mcp: MCPServer | None = None
        self._bus: SubscriptionBus | None = None

    def bind(self, mcp: MCPServer, bus: SubscriptionBus) -> None:
        """The server whose tools the tasks run (an extension is handed to MCPServer before it exists)."""
        self._mcp, self._bus = mcp, bus

    def support(self, tool: str, spec: TaskSupport | None = None) -> None:
        """Let ``tool`` run as a task."""
        self._support[tool] = spec or TaskSupport()

    def supports(self, tool: str) -> TaskSupport | None:
        """How ``tool`` takes part, or None."""
        return self._support.get(tool)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Where task bodies run (the server's lifespan); leaving it cancels the tasks still running."""
        async with anyio.create_task_group() as group:
            self._groups.append(group)
            try:
                yield
            finally:
                self._groups.remove(group)
                group.cancel_scope.cancel()

    # --- tasks/get, tasks/update, tasks/cancel -----------------------------------------------------------

    def methods(self) -> Sequence[MethodBinding]:
        """The three task methods, served at 2026-07-28 only (the handshake era answers -32601)."""
        versions = frozenset(MODERN_PROTOCOL_VERSIONS)
        return (
            MethodBinding("tasks/get", TaskIdParams, self._get, protocol_versions=versions),
            MethodBinding("tasks/update", UpdateTaskParams, self._update, protocol_versions=versions),
            MethodBinding("tasks/cancel", TaskIdParams, self._cancel, protocol_versions=versions),
        )

    def _find(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> TaskRecord:
        require_client_extension(ctx, TASKS)
        record = self.store.get(task_id)
        if record is None:
            raise MCPError(
                code=types.INVALID_PARAMS,
                message="Failed to retrieve task: Task not found (unknown, or expired after its ttlMs)",
                data={"taskId": task_id},
            )
        return record

    async def _get(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        return detailed(self._find(ctx, params.task_id))

    async def _update(self, ctx: ServerRequestContext[Any, Any], params: UpdateTaskParams) -> dict[str, Any]:
        record = self._find(ctx, params.task_id)
        try:
            self.store.answer(record, params.input_responses)
        except InvalidAnswer as exc:
            raise MCPError(code=types.INVALID_PARAMS, message=str(exc), data={"taskId": record.task_id}) from None
        return {}

    async def _cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        self.store.cancel(self._find(ctx, params.task_id))
        return {}

    # --- tools/call ------------------------------------------------------------------------------------

    async def intercept_tool_call(
        self, params: types.CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Run a task-capable tool as a task when the request declared the extension; otherwise synchronously,
        or refuse when it cannot be served without a task."""
        spec = self._support.get(params.name)
        if spec is None:
            return await call_next(ctx)
        if not _declares_tasks(ctx):
            refusal = "it runs only as a task" if spec.required else None
            if refusal is None and spec.sync_limit is not None:
                refusal = spec.sync_limit(params.arguments or {})
            if refusal is None:
                return await call_next(ctx)
            return _needs_tasks(ctx, params.name, refusal)
        if spec.gather is not None:
            pending = await spec.gather(self._context(ctx, params))
            if pending is not None:
                return pending
        if not self._groups:
            raise MCPError(code=types.INTERNAL_ERROR, message="the task runner is not running")
        record = self.store.create()
        self._groups[-1].start_soon(self._run, record, params, ctx)
        return created(record)

    def _context(self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams) -> Context:
        mcp = self._server()
        return Context(request_context=ctx, mcp_server=mcp, input_params=params, subscriptions=self._bus)

    def _server(self) -> MCPServer:
        if self._mcp is None:
            raise RuntimeError("TasksExtension.bind(mcp) was not called")
        return self._mcp

    async def _run(
        self, record: TaskRecord, params: types.CallToolRequestParams, origin: ServerRequestContext[Any, Any]
    ) -> None:
        """The task body: the tool itself, with input-required rounds turned into ``tasks/update`` exchanges."""
        now = self.store.clock.wall
        try:
            with record.cancel_scope:
                try:
                    result = await self._drive(record, params, origin)
                except MCPError as exc:
                    error = exc.error.model_dump(by_alias=True, mode="json", exclude_none=True)
                    record.settle("failed", now(), error=error, status_message=exc.error.message)
                except Exception:
                    logger.exception("task %s of tool %r crashed", record.task_id, params.name)
                    error = {"code": types.INTERNAL_ERROR, "message": "Internal error"}
                    record.settle("failed", now(), error=error, status_message="internal error")
                else:
                    record.settle("completed", now(), result=result, status_message="completed")
        finally:
            if not record.terminal:  # stopped by shutdown, expiry or eviction rather than by tasks/cancel
                record.settle("cancelled", now(), status_message="stopped by the server")

    async def _drive(
        self, record: TaskRecord, params: types.CallToolRequestParams, origin: ServerRequestContext[Any, Any]
    ) -> dict[str, Any]:
        session = TaskSession(self.store, record, origin.session.client_capabilities)
        task_ctx = task_request_context(origin, session)
        mcp = self._server()
        for _ in range(MAX_INPUT_ROUNDS):
            context = Context(
                request_context=task_ctx, mcp_server=mcp, input_params=params, subscriptions=self._bus
            )
            try:
                outcome = await mcp.call_tool(params.name, dict(params.arguments or {}), context)
            except MCPError:
                raise
            except Exception as exc:  # a tool failure is a tool result with isError, as it is without a task
                outcome = types.CallToolResult(content=[types.TextContent(type="text", text=str(exc))], is_error=True)
            if not isinstance(outcome, types.InputRequiredResult):
                return outcome.model_dump(by_alias=True, mode="json", exclude_none=True)
            params = await self._ask(record, params, outcome)
        raise MCPError(code=types.INTERNAL_ERROR, message=f"the tool asked for input over {MAX_INPUT_ROUNDS} times")

    async def _ask(
        self, record: TaskRecord, params: types.CallToolRequestParams, asked: types.InputRequiredResult
    ) -> types.CallToolRequestParams:
        """Surface the tool's input requests on the task, wait for the answers, and build the next round."""
        requests = {
            key: request.model_dump(by_alias=True, mode="json", exclude_none=True)
            for key, request in (asked.input_requests or {}).items()
        }
        wire_keys = {key: new_key(record, key) for key in requests}
        answers = await self.store.ask(record, {wire_keys[key]: request for key, request in requests.items()})
        wire = params.model_dump(by_alias=True, mode="json", exclude_none=True)
        wire["inputResponses"] = {key: answers[wire_keys[key]] for key in requests}
        wire["requestState"] = asked.request_state
        return types.CallToolRequestParams.model_validate(wire)

    # --- subscriptions/listen --------------------------------------------------------------------------

    def listen_guard(self) -> ServerMiddleware[Any]:
        """A listen request asking for task notifications must come from a client that declared the extension
        (SEP-2663); this server then agrees to none (its acknowledgement lists no ``taskIds``)."""

        async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
            if ctx.method == "subscriptions/listen":
                notifications = (ctx.params or {}).get("notifications")
                if isinstance(notifications, dict) and notifications.get("taskIds"):
                    require_client_extension(ctx, TASKS)
            return await call_next(ctx)

        return middleware


def _declares_tasks(ctx: ServerRequestContext[Any, Any]) -> bool:
    if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
        return False  # the extension is a 2026-07-28 one; the handshake era's experimental tasks are not served
    capabilities = ctx.session.client_capabilities
    return bool(capabilities and capabilities.extensions and TASKS in capabilities.extensions)


def _needs_tasks(ctx: ServerRequestContext[Any, Any], tool: str, why: str) -> HandlerResult:
    """-32021 naming the extension at 2026-07-28; a tool error on the handshake era, which has no tasks."""
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        data = types.MissingRequiredClientCapabilityErrorData(
            required_capabilities=types.ClientCapabilities(extensions={TASKS: {}})
        )
        raise MCPError(
            code=types.MISSING_REQUIRED_CLIENT_CAPABILITY,
            message=f"{tool}: {why}; declare the {TASKS} extension in clientCapabilities",
            data=data.model_dump(by_alias=True, mode="json", exclude_none=True),
        )
    text = f"{tool}: {why}, and tasks exist only at protocol 2026-07-28 with the {TASKS} extension"
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)
