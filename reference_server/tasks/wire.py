"""Wire forms of a task: the ``CreateTaskResult`` a ``tools/call`` answers with, and the status-specific task
``tasks/get`` returns (result, error or outstanding ``inputRequests`` inlined)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reference_server.tasks.store import TaskRecord


def iso(timestamp: float) -> str:
    """An epoch timestamp as ISO 8601 UTC with milliseconds."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def task(record: TaskRecord) -> dict[str, Any]:
    """The ``Task`` fields every form carries (integer milliseconds: ``ttlMs``, ``pollIntervalMs``)."""
    body: dict[str, Any] = {
        "taskId": record.task_id,
        "status": record.status,
        "createdAt": iso(record.created_at),
        "lastUpdatedAt": iso(record.last_updated_at),
        "ttlMs": record.ttl_ms,
        "pollIntervalMs": record.poll_interval_ms,
    }
    if record.status_message:
        body["statusMessage"] = record.status_message
    return body


def created(record: TaskRecord) -> dict[str, Any]:
    """``CreateTaskResult``: ``Result & Task`` with ``resultType: "task"``, nothing status-specific inlined."""
    return {"resultType": "task", **task(record)}


def detailed(record: TaskRecord) -> dict[str, Any]:
    """The ``tasks/get`` answer for the task's current status."""
    body = task(record)
    if record.status == "completed" and record.result is not None:
        body["result"] = record.result
    elif record.status == "failed" and record.error is not None:
        body["error"] = record.error
    elif record.status == "input_required":
        body["inputRequests"] = dict(record.pending)
    return body
