"""Stateful fuzzing against real servers: a bug only a sequence shows is found, printed and reproducible."""

from __future__ import annotations

import pytest

from mcptest.discovery import walk
from mcptest.fuzz import UnsupportedSchema
from mcptest.fuzz.stateful import run_stateful
from mcptest.runner import SuiteRun
from mcptest.settings import Settings
from tests.conftest import stdio_target


def _run(server: str) -> SuiteRun:
    run = SuiteRun.start(Settings(server=stdio_target(server), seed=1, timeout=5.0))
    assert run.error is None, run.error
    return run


def test_delete_corrupting_another_record_is_found_and_printed_as_a_replayable_test() -> None:
    run = _run("state01_delete_corrupts_listing.py")
    try:
        assert run.ctx is not None
        result = run_stateful(run.ctx, steps=8, budget=20.0, seed=1, unsafe=True, shrink_seconds=10.0)
        failure = result.failure
        assert failure is not None, result.summary()
        assert failure.kind == "unreadable-resource" and failure.level == "SHOULD"
        tools = [step.tool for step in failure.steps]
        assert tools.count("create_record") >= 2 and tools[-1] == "delete_record"
        deleted = failure.steps[-1].arguments["id"]
        assert failure.steps[-1].origins, "the deleted id must come from an earlier result, not be guessed"
        test = failure.test()
        assert test.startswith("def test_stateful_sequence(mcp_session):")
        assert f"mcp_session.call_tool('delete_record', {{'id': {deleted!r}}})" in test
        assert "mcp_session.read_resource('record://" in test
        # the printed sequence really reproduces: replay it on a fresh server, then read what is listed
        run.ctx.reset_wire()
        wire = run.ctx.wire()
        for step in failure.steps:
            assert wire.request("tools/call", {"name": step.tool, "arguments": step.arguments}).ok
        listed = walk(wire, "resources/list", "resources").items
        reads = [wire.request("resources/read", {"uri": item["uri"]}) for item in listed]
        assert any(not reply.ok for reply in reads)
    finally:
        run.close()


def test_a_clean_server_keeps_every_invariant_and_unsafe_tools_stay_out() -> None:
    run = _run("clean_raw.py")
    try:
        assert run.ctx is not None
        result = run_stateful(run.ctx, steps=5, budget=4.0, seed=3)
        assert result.failure is None, result.failure and result.failure.test()
        assert result.sequences >= 1 and result.calls >= 1
        assert set(result.tools) <= {"echo", "add", "divide", "slow_count", "get_note"}
    finally:
        run.close()
    run = _run("state01_delete_corrupts_listing.py")
    try:
        assert run.ctx is not None
        result = run_stateful(run.ctx, steps=5, budget=2.0, seed=3)
        assert "delete_record" in result.skipped and "destructiveHint" in result.skipped["delete_record"]
        assert "delete_record" not in result.tools
    finally:
        run.close()


def test_nothing_callable_is_a_typed_reason() -> None:
    run = _run("state01_delete_corrupts_listing.py")
    try:
        assert run.ctx is not None
        run.ctx.surface.listings["tools"].items = [t for t in run.ctx.surface.items("tools") if t["name"] == "delete_record"]
        with pytest.raises(UnsupportedSchema, match="delete_record: annotated destructiveHint"):
            run_stateful(run.ctx, steps=3, budget=1.0, seed=1)
    finally:
        run.close()
