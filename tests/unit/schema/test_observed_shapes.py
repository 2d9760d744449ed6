"""The observer hook: every response is judged with the request it answers, also what came before the checks loaded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mcptest import observe
from mcptest.checks.schema_shapes import judge
from mcptest.observe import Observations
from mcptest.wire.sse import SseWire
from tests.unit.test_wire_sse import Scripted, serve


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    yield from serve()


def test_responses_are_judged_with_their_request_also_those_before_any_judge(
    scripted: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    judges: list[Any] = []
    monkeypatch.setattr(observe, "SHAPE_JUDGES", judges)
    seen = Observations()
    wire = SseWire(scripted.url, 5.0, observer=seen)
    wire.protocol_version = "2025-11-25"
    try:
        wire.request("tools/list")  # the scripted server answers {"echo": "tools/list"}: no "tools"
        bucket = seen.at("2025-11-25")
        assert bucket.shapes_judged == 0  # kept for later: no judge registered yet
        judges.append(judge)  # as mcptest.checks.schema does once the checks are loaded
        wire.request("ask")  # the server asks ping first (a valid server request), then answers
        assert [(p.kind, p.method, p.problems) for p in bucket.shape_problems] == [
            ("result", "tools/list", ("result.tools: required, missing",))
        ]
        assert bucket.shape_problems[0].request["method"] == "tools/list"
        assert bucket.shapes_judged == 2  # the tools/list result and the server's ping; "ask" is no MCP method
    finally:
        wire.close()


def test_a_judge_that_breaks_is_an_mcptest_error_and_the_wire_goes_on(
    scripted: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(kind: str, method: str, version: str, body: Any) -> list[str] | None:
        raise KeyError("bug")

    monkeypatch.setattr(observe, "SHAPE_JUDGES", [broken])
    seen = Observations()
    wire = SseWire(scripted.url, 5.0, observer=seen)
    wire.protocol_version = "2025-11-25"
    try:
        assert wire.request("ping").result == {"echo": "ping"}
        assert seen.at("2025-11-25").judge_errors == ["KeyError: 'bug' (judging the ping result)"]
    finally:
        wire.close()
