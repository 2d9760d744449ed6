"""The ``io.modelcontextprotocol/tasks`` extension (SEP-2663): tools that run in the background and are polled."""

from reference_server.tasks.extension import TASKS, TasksExtension, TaskSupport
from reference_server.tasks.store import TaskRecord, TaskStore

__all__ = ["TASKS", "TaskRecord", "TaskStore", "TaskSupport", "TasksExtension"]
