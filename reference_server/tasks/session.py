"""The session a tool sees while it runs as a task: no request stream is left to write to, so progress becomes the
task's ``statusMessage``, notifications are dropped, and input is asked for through the task (``tasks/update``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import mcp.types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from reference_server.tasks.store import TaskRecord, TaskStore


class TaskSession:
    """Stands in for ``ServerSession`` inside a task (the methods MCPServer tools and ``Context`` call)."""

    def __init__(self, store: TaskStore, record: TaskRecord, capabilities: types.ClientCapabilities | None) -> None:
        self.store = store
        self.record = record
        self._capabilities = capabilities

    @property
    def client_capabilities(self) -> types.ClientCapabilities | None:
        """What the request that created the task declared."""
        return self._capabilities

    @property
    def client_params(self) -> None:
        """A task outlives the request; there is no client identity to hand on."""
        return None

    @property
    def can_send_request(self) -> bool:
        """Never: input reaches a task through ``tasks/update``."""
        return False

    def check_client_capability(self, capability: types.ClientCapabilities) -> bool:
        """Whether the creating request declared every part of ``capability`` asked for here."""
        declared = self._capabilities
        if declared is None:
            return False
        wanted = capability.model_dump(exclude_none=True)
        have = declared.model_dump(exclude_none=True)
        return all(key in have for key in wanted)

    async def report_progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Progress of a task is its ``statusMessage`` (the extension carries no progress notifications)."""
        done = f"{progress:g}/{total:g}" if total is not None else f"{progress:g}"
        self.store.touch(self.record, message=message or f"progress {done}")

    async def send_notification(self, notification: Any, related_request_id: Any = None) -> None:
        """Dropped: ``notifications/message`` and ``notifications/progress`` are not delivered for tasks."""

    async def send_log_message(self, *args: Any, **kwargs: Any) -> None:
        """Dropped, like every notification from a task."""

    async def send_request(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: a task asks for input by returning an input-required result, which the runner turns into
        ``inputRequests`` on ``tasks/get``."""
        raise MCPError(
            code=types.INTERNAL_ERROR,
            message="a task cannot send server-to-client requests; return an input-required result instead",
        )


def task_request_context(
    origin: ServerRequestContext[Any, Any], session: TaskSession
) -> ServerRequestContext[Any, Any]:
    """The creating request's context with the task's session and nothing tied to its (finished) HTTP exchange."""
    return dataclasses.replace(
        origin,
        session=session,  # type: ignore[arg-type]  # duck-typed ServerSession
        meta=None,  # no progress token and no log level: nothing may be written to a stream that has ended
        request=None,
        close_sse_stream=None,
        close_standalone_sse_stream=None,
    )
