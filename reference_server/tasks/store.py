"""Task records of the ``io.modelcontextprotocol/tasks`` extension: status, outstanding input requests, the final
result or error, and expiry. A task is stored before its id is handed out, so ``tasks/get`` always resolves it."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
from mcp.types import CreateMessageResult, ElicitResult, ListRootsResult
from pydantic import BaseModel, ValidationError

from reference_server.clock import Clock

TaskStatus = Literal["working", "input_required", "completed", "failed", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
# What a client's answer to each kind of input request must look like.
ANSWER_TYPES: Mapping[str, type[BaseModel]] = {
    "elicitation/create": ElicitResult,
    "sampling/createMessage": CreateMessageResult,
    "roots/list": ListRootsResult,
}


class InvalidAnswer(ValueError):
    """A ``tasks/update`` answer does not fit the request it answers."""


@dataclass
class TaskRecord:
    """One task. Its fields are changed only by the store and the task's own runner."""

    task_id: str
    created_at: float
    ttl_ms: int
    poll_interval_ms: int
    status: TaskStatus = "working"
    status_message: str | None = None
    last_updated_at: float = 0.0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # wire key -> input request (wire form)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # wire key -> the client's answer
    issued: set[str] = field(default_factory=set)  # every key ever asked: keys are never reused
    cancel_scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    answered: anyio.Event = field(default_factory=anyio.Event)

    @property
    def terminal(self) -> bool:
        """Whether the task has finished (completed, failed or cancelled)."""
        return self.status in TERMINAL

    def expired(self, now: float) -> bool:
        """Whether the task outlived its ttlMs."""
        return now >= self.created_at + self.ttl_ms / 1000

    def settle(self, status: TaskStatus, now: float, **outcome: Any) -> None:
        """Move to ``status`` (once terminal, a task never changes again)."""
        if self.terminal:
            return
        self.status, self.last_updated_at = status, now
        self.pending.clear()
        for name, value in outcome.items():
            setattr(self, name, value)


class TaskStore:
    """In-process task records, bounded, expiring ``ttl_ms`` after creation.

    A single-process store: replicas behind a load balancer route a task's requests by their ``Mcp-Name``
    header (the task id), or share a store.
    """

    def __init__(
        self, clock: Clock, *, ttl_ms: int = 600_000, poll_interval_ms: int = 500, capacity: int = 1000
    ) -> None:
        self.clock = clock
        self.ttl_ms = ttl_ms
        self.poll_interval_ms = poll_interval_ms
        self.capacity = capacity
        self._tasks: OrderedDict[str, TaskRecord] = OrderedDict()

    def create(self) -> TaskRecord:
        """A new working task with an unguessable id, stored before it is returned."""
        self._expire()
        while len(self._tasks) >= self.capacity:  # the oldest goes first; a running one is cancelled with it
            _, oldest = self._tasks.popitem(last=False)
            oldest.cancel_scope.cancel()
        now = self.clock.wall()
        record = TaskRecord(
            task_id=secrets.token_urlsafe(24),
            created_at=now,
            last_updated_at=now,
            ttl_ms=self.ttl_ms,
            poll_interval_ms=self.poll_interval_ms,
        )
        self._tasks[record.task_id] = record
        return record

    def get(self, task_id: str) -> TaskRecord | None:
        """The live task with this id, or None (never existed, expired, or evicted by newer tasks)."""
        self._expire()
        return self._tasks.get(task_id)

    def _expire(self) -> None:
        now = self.clock.wall()
        for task_id in [t for t, r in self._tasks.items() if r.expired(now)]:
            self._tasks.pop(task_id).cancel_scope.cancel()

    def touch(self, record: TaskRecord, *, status: TaskStatus | None = None, message: str | None = None) -> None:
        """Record progress of a running task (no effect once it is terminal)."""
        if record.terminal:
            return
        if status is not None:
            record.status = status
        if message is not None:
            record.status_message = message
        record.last_updated_at = self.clock.wall()

    async def ask(self, record: TaskRecord, requests: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Park ``record`` in ``input_required`` until every request is answered; return the answers by key.

        Raises:
            ValueError: A key was already used by this task (keys are unique over a task's lifetime).
        """
        reused = sorted(set(requests) & record.issued)
        if reused:
            raise ValueError(f"input request keys {reused} were already used by task {record.task_id}")
        record.issued.update(requests)
        record.pending.update(requests)
        self.touch(record, status="input_required", message="waiting for the client's input")
        while any(key not in record.answers for key in requests):
            await record.answered.wait()  # a fresh event after every tasks/update that took an answer
        self.touch(record, status="working", message="input received; working")
        return {key: record.answers[key] for key in requests}

    def answer(self, record: TaskRecord, responses: Mapping[str, Any]) -> list[str]:
        """Take the answers to outstanding requests (others are ignored); return the keys taken.

        Raises:
            InvalidAnswer: an answer to an outstanding request does not fit it.
        """
        taken: dict[str, dict[str, Any]] = {}
        for key, response in responses.items():
            request = record.pending.get(key)
            if request is None:
                continue  # never issued, already answered or superseded: ignored, as the extension asks
            taken[key] = _checked(key, request, response)
        for key, response in taken.items():
            record.answers[key] = response
            del record.pending[key]
        if taken:
            if not record.pending:
                self.touch(record, status="working", message="input received; working")
            event, record.answered = record.answered, anyio.Event()
            event.set()
        return sorted(taken)

    def cancel(self, record: TaskRecord) -> None:
        """Ask the task to stop; a running task settles as cancelled, a finished one is left as it is."""
        if not record.terminal:
            record.settle("cancelled", self.clock.wall(), status_message="cancelled by the client")
            record.cancel_scope.cancel()


def _checked(key: str, request: Mapping[str, Any], response: Any) -> dict[str, Any]:
    answer_type = ANSWER_TYPES.get(str(request.get("method")))
    if not isinstance(response, dict):
        raise InvalidAnswer(f"inputResponses[{key!r}] must be an object, got {type(response).__name__}")
    if answer_type is None:
        return response
    try:
        answer_type.model_validate(response)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "(answer)"
        raise InvalidAnswer(
            f"inputResponses[{key!r}] is not a valid {answer_type.__name__} for {request.get('method')}: "
            f"{where}: {problem['msg']}"
        ) from None
    return response


def new_key(record: TaskRecord, key: str) -> str:
    """``key``, or ``key#n`` when the task already used it (keys are unique over a task's lifetime)."""
    candidate, n = key, 1
    while candidate in record.issued:
        n += 1
        candidate = f"{key}#{n}"
    return candidate

