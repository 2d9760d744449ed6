"""Stateful fuzzing against real servers: a bug only a sequence shows is found, shrunk, printed and reproducible."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from mcptest.checks.base import CheckContext
from mcptest.fuzz import UnsupportedSchema
from mcptest.fuzz.stateful import run_stateful
from mcptest.runner import SuiteRun
from mcptest.settings import Settings
from tests.conftest import http_target, stdio_target

STATE01 = "state01_delete_corrupts_listing.py"


@contextmanager
def context(server: str, **settings: object) -> Iterator[CheckContext]:
    """A check context at the newest version the server answers (its run closed afterwards)."""
    run = SuiteRun.start(Settings(server=server, seed=1, timeout=10.0, **settings))  # type: ignore[arg-type]
    try:
        assert run.error is None, run.error
        yield CheckContext(run.coverage.states[run.versions[-1]])  # type: ignore[union-attr]
    finally:
        run.close()


def test_the_delete_that_corrupts_the_index_shrinks_to_three_steps_and_the_printed_test_reproduces_it(
    pytester: pytest.Pytester,
) -> None:
    with context(stdio_target(STATE01)) as ctx:
        result = run_stateful(ctx, steps=8, budget=30.0, seed=1, unsafe=True, shrink_seconds=60.0)
    failure = result.failure
    assert failure is not None, result.summary()
    assert (failure.kind, failure.requirement) == ("crash", "STATE-01"), failure.detail
    assert [step.tool for step in failure.steps] == ["create_record", "create_record", "delete_record"], failure.test()
    assert [step.arguments for step in failure.steps[:2]] == [{"title": ""}, {"title": ""}]
    assert failure.steps[2].refs["id"].step == 0, "the delete must take the id the first create returned"
    assert "exited with code 70" in failure.detail, failure.detail
    assert result.fresh_state and not result.caveat
    test = failure.test()
    assert test.startswith("def test_stateful_sequence(mcp_session):")
    # the id is read from what the first create returned (its result, or the resources listed after it)
    assert ("mcp_session.call_tool('delete_record', {'id': step1.structured_content['id']})" in test
            or "mcp_session.call_tool('delete_record', {'id': listed1[0].name})" in test), test
    assert "mcp_session.read_resource(resource.uri)" in test
    # the printed test, pasted into a user's test file, fails against the defect server (and only by the crash)
    pytester.makepyfile(test_found=test)
    ran = pytester.runpytest_subprocess(f"--mcp-server={stdio_target(STATE01)}", "test_found.py",
                                        "-p", "no:cacheprovider")
    ran.assert_outcomes(failed=1)
    assert "record store corrupted" in ran.stdout.str() or "closed" in ran.stdout.str().lower()


def test_a_clean_server_keeps_every_invariant_and_unsafe_tools_stay_out() -> None:
    with context(stdio_target("clean_raw.py")) as ctx:
        result = run_stateful(ctx, steps=5, budget=4.0, seed=3)
    assert result.failure is None and not result.unconfirmed, result.failure and result.failure.test()
    assert result.sequences >= 1 and result.calls >= 1 and result.announcements
    assert set(result.tools) <= {"echo", "add", "divide", "slow_count", "get_note"}
    with context(stdio_target(STATE01)) as ctx:
        result = run_stateful(ctx, steps=5, budget=2.0, seed=3)
    assert "delete_record" in result.skipped and "destructiveHint" in result.skipped["delete_record"]
    assert "delete_record" not in result.tools and result.failure is None


def test_nothing_callable_is_a_typed_reason() -> None:
    with context(stdio_target(STATE01)) as ctx:
        ctx.surface.listings["tools"].items = [t for t in ctx.surface.items("tools") if t["name"] == "delete_record"]
        with pytest.raises(UnsupportedSchema, match="delete_record.* is annotated destructiveHint"):
            run_stateful(ctx, steps=3, budget=1.0, seed=1)


def test_over_http_a_launched_server_is_restarted_per_sequence_and_the_bug_is_found() -> None:
    server, launch = http_target(STATE01)
    with context(server, launch=launch) as ctx:
        result = run_stateful(ctx, steps=8, budget=40.0, seed=1, unsafe=True, shrink_seconds=90.0)
    assert result.fresh_state and not result.caveat
    assert not result.announcements, "over HTTP list_changed may come on the GET stream: not judged"
    failure = result.failure
    assert failure is not None, result.summary()
    assert failure.requirement == "STATE-01"
    assert [step.tool for step in failure.steps] == ["create_record", "create_record", "delete_record"], failure.test()


def test_over_http_a_server_mcptest_did_not_start_only_gets_new_sessions_and_says_so() -> None:
    from mcptest.launch.process import ServerProcess
    from mcptest.launch.wait import free_port, port_open, wait_until

    port = free_port()
    _, launch = http_target("clean_raw.py")
    process = ServerProcess(tuple(launch.replace("{port}", str(port)).split()), read_stdout=False, stdio=False)
    try:
        assert wait_until(lambda: port_open("127.0.0.1", port), 20.0) is None
        with context(f"http://127.0.0.1:{port}/mcp") as ctx:
            result = run_stateful(ctx, steps=4, budget=3.0, seed=2)
    finally:
        process.stop(grace=1.0)
    assert not result.fresh_state
    assert "not started by mcptest" in result.caveat and "--mcp-launch" in result.caveat
    assert result.failure is None and result.sequences >= 1


def test_fresh_connections_close_everything_they_opened() -> None:
    before = threading.active_count()
    with context(stdio_target("clean_raw.py")) as ctx:
        from mcptest.fuzz.fresh import Fresh

        fresh = Fresh(ctx)
        leases = [fresh.take() for _ in range(3)]
        assert len({id(lease.wire) for lease in leases}) == 3
        assert all(lease.wire.initialize_result is not None for lease in leases)
        fresh.release(leases[0])
        fresh.close()
        assert all(lease.wire.gone is not None or lease.wire.process.returncode is not None for lease in leases)
    assert threading.active_count() <= before + 2
