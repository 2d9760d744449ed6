"""The scheduler's ordering promises, on a real server: observers judge a version only once all its other work ran."""

from __future__ import annotations

import sys
import textwrap
import threading
from pathlib import Path

import pytest

from mcptest import schedule
from mcptest.checks.base import Check, CheckContext
from mcptest.findings import NotApplicable
from mcptest.fuzz.budget import Budget
from mcptest.plan import Case
from mcptest.runner import SuiteRun
from mcptest.schedule import Scheduler
from mcptest.serial import HYPOTHESIS, SerialLock
from mcptest.settings import Settings
from mcptest.wire import WireError
from tests.conftest import SERVERS, stdio_target


def test_an_observer_submitted_first_runs_after_the_rest_of_its_submission(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plan order puts BASE-01 (an observer) first; if it ran as soon as it was queued, before the cases after it
    were even counted, it would judge traffic not sent yet (a loaded machine made BASE-01 pass on a defect)."""
    run = SuiteRun.start(Settings(server=stdio_target("clean_raw.py"), fuzz_examples=0))
    assert run.error is None and run.coverage is not None
    version = run.versions[-1]
    shared_done = threading.Event()
    observer_ran = threading.Event()
    seen: list[bool] = []

    def shared(ctx: CheckContext) -> None:
        ctx.wire().request("ping")
        shared_done.set()

    def observer(ctx: CheckContext) -> None:
        seen.append(shared_done.is_set())
        observer_ran.set()

    start = Scheduler._start

    def start_then_let_an_early_observer_run(self: Scheduler, work: object) -> None:
        start(self, work)  # type: ignore[arg-type]
        observer_ran.wait(10.0)  # an observer started now would run before the next case is queued

    monkeypatch.setattr(Scheduler, "_start", start_then_let_an_early_observer_run)
    cases = [Case(0, Check("BASE-01", observer, "jsonrpc", "server", "observer", phase="observe"), None, version),
             Case(1, Check("PING-01", shared, "utilities", "server", "shared"), None, version)]
    scheduler = Scheduler(run.settings, {version: run.coverage.states[version]}, lambda case, found: None)
    try:
        scheduler.submit(cases)
        assert [scheduler.result(case, timeout=30).outcome for case in cases] == ["pass", "pass"]
        assert seen == [True]
    finally:
        scheduler.close()
        run.close()


def test_a_fuzz_property_waiting_for_its_server_lets_another_versions_property_run() -> None:
    """Fuzzing holds the process-wide Hypothesis lock; while one version's property waits for an answer it sets the
    lock aside, so the other version's property draws meanwhile instead of queueing behind the wait."""
    run = SuiteRun.start(Settings(server=stdio_target("clean_raw.py"), fuzz_examples=0, protocol="all"))
    try:
        assert run.error is None and run.coverage is not None and len(run.versions) >= 2, run.versions
    except AssertionError:
        run.close()
        raise
    first, second = run.versions[:2]
    other_ran = threading.Event()
    overlapped: list[bool] = []

    def waits_for_its_server(ctx: CheckContext) -> None:
        assert HYPOTHESIS.held
        with HYPOTHESIS.released():
            overlapped.append(other_ran.wait(10.0))  # the other property can only run if the lock was set aside
        assert HYPOTHESIS.held

    def draws(ctx: CheckContext) -> None:
        assert HYPOTHESIS.held
        other_ran.set()

    cases = [Case(0, Check("FUZZ-01", waits_for_its_server, "fuzz", "server", "waits", phase="serial"), None, first),
             Case(1, Check("FUZZ-02", draws, "fuzz", "server", "draws", phase="serial"), None, second)]
    states = {version: run.coverage.states[version] for version in (first, second)}
    scheduler = Scheduler(run.settings, states, lambda case, found: None)
    try:
        scheduler.submit(cases)
        assert [scheduler.result(case, timeout=30).outcome for case in cases] == ["pass", "pass"]
        assert overlapped == [True]
    finally:
        scheduler.close()
        run.close()


def test_the_hypothesis_lock_is_set_aside_and_taken_back_at_its_depth() -> None:
    lock = SerialLock()
    taken_meanwhile = threading.Event()

    def other() -> None:
        with lock:
            taken_meanwhile.set()

    with lock, lock:
        with lock.released():
            thread = threading.Thread(target=other)
            thread.start()
            thread.join(10.0)
        assert taken_meanwhile.is_set() and lock.held
    assert not lock.held
    with lock.released():  # a thread that does not hold it has nothing to set aside
        assert not lock.held
    with pytest.raises(RuntimeError, match="does not hold it"):
        lock.__exit__(None, None, None)


def test_with_serial_threads_a_slow_tools_fuzz_property_lets_the_next_ones_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """With several serial threads (``SERIAL_THREADS``; one by default) a property waiting for a slow tool sets the
    Hypothesis lock aside, and the next tool's property draws and calls meanwhile instead of queueing behind it."""
    monkeypatch.setattr(schedule, "SERIAL_THREADS", 3)
    run, version = _one_version_run()
    other_ran = threading.Event()
    overlapped: list[bool] = []

    def waits_for_a_slow_tool(ctx: CheckContext) -> None:
        with HYPOTHESIS.released():
            overlapped.append(other_ran.wait(10.0))

    def draws(ctx: CheckContext) -> None:
        assert HYPOTHESIS.held
        other_ran.set()

    cases = [Case(0, Check("FUZZ-01", waits_for_a_slow_tool, "fuzz", "server", "waits", phase="serial"), None, version),
             Case(1, Check("FUZZ-02", draws, "fuzz", "server", "draws", phase="serial"), None, version)]
    try:
        assert _findings(run, version, cases) == [("pass", ""), ("pass", "")]
        assert overlapped == [True]
    finally:
        run.close()


def test_with_concurrency_1_a_versions_fuzz_properties_run_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "SERIAL_THREADS", 3)
    run, version = _one_version_run()
    serial = Settings(server=run.settings.server, fuzz_examples=0, concurrency=1)
    running: list[int] = []
    most: list[int] = []
    guard = threading.Lock()

    def prop(ctx: CheckContext) -> None:
        with guard:
            running.append(1)
            most.append(len(running))
        with HYPOTHESIS.released():
            ctx.wire().request("ping")
        with guard:
            running.pop()

    cases = [Case(n, Check(f"FUZZ-0{n + 1}", prop, "fuzz", "server", "prop", phase="serial"), None, version)
             for n in range(2)]
    scheduler = Scheduler(serial, {version: run.coverage.states[version]}, lambda case, found: None)
    try:
        scheduler.submit(cases)
        assert [scheduler.result(case, timeout=30).outcome for case in cases] == ["pass", "pass"]
        assert max(most) == 1
    finally:
        scheduler.close()
        run.close()


def test_a_memo_computed_under_the_hypothesis_lock_is_awaited_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two serial cases ask for one memo (the STATE checks share one stateful search). The one computing it needs
    the Hypothesis lock after a wait; the other must wait for the value without holding that lock, or neither ends."""
    monkeypatch.setattr(schedule, "SERIAL_THREADS", 3)
    run, version = _one_version_run()
    computing, asking = threading.Event(), threading.Event()

    def search() -> str:
        computing.set()
        with HYPOTHESIS.released():
            asking.wait(10.0)
        with HYPOTHESIS:  # a Hypothesis draw after the wait: the other case must not be holding the lock now
            return "searched"

    def first(ctx: CheckContext) -> None:
        assert ctx.memo("stateful", search) == "searched"

    def second(ctx: CheckContext) -> None:
        with HYPOTHESIS.released():
            computing.wait(10.0)
        asking.set()
        assert ctx.memo("stateful", lambda: "not computed here") == "searched"

    cases = [Case(0, Check("STATE-01", first, "stateful", "server", "first", phase="serial"), None, version),
             Case(1, Check("STATE-02", second, "stateful", "server", "second", phase="serial"), None, version)]
    try:
        assert _findings(run, version, cases) == [("pass", ""), ("pass", "")]
    finally:
        run.close()


def test_a_fuzz_budget_does_not_spend_the_time_its_thread_queued_for_the_hypothesis_lock() -> None:
    """Properties of one version run at once: the seconds one queues while another draws are not its fuzzing, so
    they do not cut its search short (a clock the test moves: 5 s queued against a 1 s budget)."""
    now, asking, queued, done = [0.0], threading.Event(), threading.Event(), threading.Event()

    def clock() -> float:
        if asking.is_set():
            queued.set()  # read by the asking thread just before it blocks on the held lock
        return now[0]

    lock = SerialLock(clock)

    def holder() -> None:
        with lock:
            done.set()
            queued.wait(10.0)
            now[0] += 5.0

    thread = threading.Thread(target=holder)
    thread.start()
    done.wait(10.0)
    budget = Budget(1.0, clock=clock, lock=lock)
    asking.set()
    with lock:
        assert lock.waited(threading.get_ident()) == 5.0
        assert budget.elapsed() == 0.0 and not budget.spent()
    thread.join(10.0)
    now[0] += 2.0
    assert budget.spent()


def _one_version_run() -> tuple[SuiteRun, str]:
    run = SuiteRun.start(Settings(server=stdio_target("clean_raw.py"), fuzz_examples=0))
    assert run.error is None and run.coverage is not None
    return run, run.versions[-1]


def _findings(run: SuiteRun, version: str, cases: list[Case]) -> list[tuple[str, str]]:
    scheduler = Scheduler(run.settings, {version: run.coverage.states[version]}, lambda case, found: None)
    try:
        scheduler.submit(cases)
        return [(found.outcome, found.reason) for found in (scheduler.result(c, timeout=30) for c in cases)]
    finally:
        scheduler.close()


def test_an_observers_prepare_step_runs_alongside_the_shared_checks_and_before_its_judging() -> None:
    """PROG-02 and LIFE-07 send requests of their own before judging; as a prepare step those run while the shared
    checks do (here the shared check can only finish once the prepare step ran), not after everything else."""
    run, version = _one_version_run()
    prepared = threading.Event()
    shared_saw: list[bool] = []

    def prepare(ctx: CheckContext) -> int:
        return ctx.memo("answered", lambda: (prepared.set(), len(ctx.wire().request("tools/list").response))[1])

    def shared(ctx: CheckContext) -> None:
        shared_saw.append(prepared.wait(10.0))

    def observer(ctx: CheckContext) -> None:
        assert prepared.is_set() and prepare(ctx) > 0  # the memo: computed once, by the prepare step

    cases = [Case(0, Check("PROG-02", observer, "utilities", "server", "observer", "observe", prepare=prepare),
                  None, version),
             Case(1, Check("PING-01", shared, "utilities", "server", "shared"), None, version)]
    try:
        assert _findings(run, version, cases) == [("pass", ""), ("pass", "")]
        assert shared_saw == [True]
    finally:
        run.close()


def test_what_a_prepare_step_raises_is_reported_by_its_observer() -> None:
    """A prepare step's failure is not lost: a remembered NotApplicable is the observer's n/a, and a bug (not
    remembered) happens again in the observer and is an mcptest error."""
    run, version = _one_version_run()

    def nothing_sent() -> None:
        raise NotApplicable("the server sent nothing to judge")

    def nothing_to_judge(ctx: CheckContext) -> None:
        ctx.memo("nothing", nothing_sent)

    def buggy(ctx: CheckContext) -> None:
        ctx.memo("bug", lambda: {}["missing"])

    cases = [Case(0, Check("PROG-02", nothing_to_judge, "utilities", "server", "n/a", "observe",
                           prepare=nothing_to_judge), None, version),
             Case(1, Check("LIFE-07", buggy, "lifecycle", "server", "bug", "observe", prepare=buggy), None, version)]
    try:
        (outcome, reason), (bug_outcome, bug_reason) = _findings(run, version, cases)
        assert (outcome, reason) == ("n/a", "the server sent nothing to judge")
        assert bug_outcome == "error" and "KeyError: 'missing'" in bug_reason
    finally:
        run.close()


def test_a_crash_in_a_re_run_over_http_counts_only_once_it_recurs_on_a_new_process(tmp_path: Path) -> None:
    """The re-runs alone of one version share the HTTP server's process. One that leaves it dying (here: after an
    echo of "doom" the process exits on its next add) must not pin the crash on the next re-run: that one runs once
    more, on the restarted server, and takes its verdict. A MUST finding (MHTTP-15) became a SERVER-ALIVE warning so."""
    server = tmp_path / "dies_after_doom.py"
    server.write_text(textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(SERVERS)!r})
        from _raw import CleanServer, main

        class Server(CleanServer):
            doomed = False

            def tool_echo(self, ex, args):
                Server.doomed = Server.doomed or args.get("text") == "doom"
                return super().tool_echo(ex, args)

            def tool_add(self, ex, args):
                if Server.doomed:
                    os._exit(3)
                return super().tool_add(ex, args)

        main(Server)
    """))
    url, launch = "http://127.0.0.1:{port}/mcp", f"{sys.executable} {server} --http --port {{port}}"
    run = SuiteRun.start(Settings(server=url, launch=launch, fuzz_examples=0, protocol="2025-11-25"))
    assert run.error is None and run.coverage is not None, run.error
    runs = {"dooms": 0, "adds": 0}

    def call(ctx: CheckContext, name: str, arguments: dict[str, object]) -> None:
        if not ctx.wire().request("tools/call", {"name": name, "arguments": arguments}).ok:
            raise AssertionError(f"{name} failed")

    def dooms(ctx: CheckContext) -> None:  # its first run meets a crash; alone it leaves the server dying
        runs["dooms"] += 1
        if runs["dooms"] == 1:
            raise WireError("the connection broke (the first run's circumstances)")
        call(ctx, "echo", {"text": "doom"})

    def adds(ctx: CheckContext) -> None:
        runs["adds"] += 1
        if runs["adds"] == 1:
            raise WireError("the connection broke (the first run's circumstances)")
        call(ctx, "add", {"a": 1, "b": 2})

    version = run.versions[-1]
    cases = [Case(0, Check("PING-01", dooms, "utilities", "server", "dooms"), None, version),
             Case(1, Check("TOOL-05", adds, "tools", "server", "adds"), None, version)]
    try:
        assert [outcome for outcome, _ in _findings(run, version, cases)] == ["pass", "pass"]
        assert runs == {"dooms": 2, "adds": 3}  # the add alone met the dying process, then ran on a new one
        assert run.handle is not None and run.handle.restarts == 1
    finally:
        run.close()


def test_every_process_the_lanes_start_ahead_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stdio server's process costs its start-up CPU (1.5 s for an SDK server), on the machine the checks share.
    The lanes started processes ahead before every pristine check, although pristine checks share one until an
    initialize is sent: one or two per run were started and never written to."""
    from mcptest.launch.process import ServerProcess
    from mcptest.runner import run_all

    started: list[ServerProcess] = []
    written: set[int] = set()
    init, write = ServerProcess.__init__, ServerProcess.write

    def recording_init(self: ServerProcess, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)  # type: ignore[arg-type]
        started.append(self)

    def recording_write(self: ServerProcess, data: bytes) -> None:
        written.add(id(self))
        write(self, data)

    monkeypatch.setattr(ServerProcess, "__init__", recording_init)
    monkeypatch.setattr(ServerProcess, "write", recording_write)
    result = run_all(Settings(server=stdio_target("clean_raw.py"), fuzz_examples=0), areas=("lifecycle",))
    result.close()
    assert result.error is None and result.findings
    unused = [process.command for process in started if id(process) not in written]
    assert not unused, f"{len(unused)} of {len(started)} processes were started and never used"
