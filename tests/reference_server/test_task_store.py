"""The tasks extension's store on a fake clock: answers to outstanding requests only, partial answers, keys never
reused, cancellation that leaves finished tasks alone, expiry after ttlMs, and the wire forms."""

from __future__ import annotations

import anyio
import pytest
from _refsrv_helpers import FakeClock

from reference_server.tasks.store import InvalidAnswer, TaskStore, new_key
from reference_server.tasks.wire import created, detailed

pytestmark = pytest.mark.anyio
ASK_NAME = {"method": "elicitation/create", "params": {"message": "Name?", "requestedSchema": {"type": "object"}}}
ASK_ROOTS = {"method": "roots/list"}
NAME = {"action": "accept", "content": {"name": "Ada"}}


async def test_a_task_waits_in_input_required_until_every_request_is_answered(fake_clock: FakeClock) -> None:
    store = TaskStore(fake_clock)
    record = store.create()
    answers: dict[str, dict] = {}

    async def body() -> None:
        answers.update(await store.ask(record, {"name": ASK_NAME, "roots": ASK_ROOTS}))

    async with anyio.create_task_group() as group:
        group.start_soon(body)
        with anyio.fail_after(5):
            while record.status != "input_required":
                await anyio.sleep(0)
        assert detailed(record)["inputRequests"] == {"name": ASK_NAME, "roots": ASK_ROOTS}
        assert store.answer(record, {"name": NAME, "never-asked": {"whatever": 1}}) == ["name"]
        assert record.status == "input_required" and list(detailed(record)["inputRequests"]) == ["roots"]
        assert store.answer(record, {"name": NAME}) == []  # already answered: ignored
        with pytest.raises(InvalidAnswer, match="roots"):
            store.answer(record, {"roots": {"roots": "not a list"}})
        assert store.answer(record, {"roots": {"roots": [{"uri": "file:///srv"}]}}) == ["roots"]
        assert record.status == "working"  # at once, before the body resumes
    assert answers["name"] == NAME and answers["roots"]["roots"][0]["uri"] == "file:///srv"
    assert new_key(record, "name") == "name#2"
    with pytest.raises(ValueError, match="already used"):
        await store.ask(record, {"name": ASK_NAME})


async def test_cancelling_stops_a_running_task_and_leaves_a_finished_one_alone(fake_clock: FakeClock) -> None:
    store = TaskStore(fake_clock)
    running, finished = store.create(), store.create()
    finished.settle("completed", fake_clock.wall(), result={"content": []})
    store.cancel(running)
    store.cancel(finished)
    assert running.status == "cancelled" and running.cancel_scope.cancel_called
    assert finished.status == "completed" and detailed(finished)["result"] == {"content": []}
    running.settle("completed", fake_clock.wall(), result={})  # a terminal task never changes again
    assert running.status == "cancelled" and "result" not in detailed(running)


async def test_tasks_expire_after_their_ttl_and_the_store_is_bounded(fake_clock: FakeClock) -> None:
    store = TaskStore(fake_clock, ttl_ms=60_000, capacity=3)
    first = store.create()
    fake_clock.advance(59)
    assert store.get(first.task_id) is first
    fake_clock.advance(2)
    assert store.get(first.task_id) is None and first.cancel_scope.cancel_called
    records = [store.create() for _ in range(4)]
    assert store.get(records[0].task_id) is None and all(store.get(r.task_id) for r in records[1:])


async def test_wire_forms(fake_clock: FakeClock) -> None:
    record = TaskStore(fake_clock, ttl_ms=1000, poll_interval_ms=250).create()
    handle = created(record)
    assert handle["resultType"] == "task" and handle["status"] == "working" and len(handle["taskId"]) >= 32
    assert handle["createdAt"].endswith("Z") and handle["ttlMs"] == 1000 and handle["pollIntervalMs"] == 250
    assert not {"result", "error", "inputRequests", "requestState", "ttl", "pollInterval"} & set(handle)
    record.settle("failed", fake_clock.wall(), error={"code": -32603, "message": "boom"}, status_message="boom")
    assert detailed(record)["error"]["code"] == -32603 and detailed(record)["statusMessage"] == "boom"
