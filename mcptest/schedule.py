"""Run the cases of a plan concurrently: shared checks in a bounded pool, lane checks in order, then observers and
confirmations, each case's Finding delivered through its own future."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from mcptest.checks.base import CheckContext
from mcptest.execute import Provisional, confirmed, finding, run_case
from mcptest.findings import Finding
from mcptest.observe import Seen
from mcptest.plan import Case
from mcptest.serial import HYPOTHESIS
from mcptest.settings import Settings
from mcptest.state import Lane, VersionState
from mcptest.wire import RequestTimeout

LANE_PHASES = ("pristine", "exclusive")
SERIAL_THREADS = 1
"""Serial cases (fuzz properties) of one version that run at once, at most (``--mcp-concurrency 1``: one). Each
draws under the Hypothesis lock and sets it aside while it waits for the server, so with more than one a slow
tool's waits overlap the other properties' draws and calls. One by default: three made the HTTP suite 10 % faster,
but each property keeps its own calls in flight, so a server's input queue grew and it read a cancellation
later; CANC-01 and HTTP-20 then missed their defects (n/a) once each on a loaded machine. More threads wait for a
fuzz window shared by a version's properties."""


@dataclass
class _VersionWork:
    """The cases of one version still to run or finish, and which of its threads are running."""

    state: VersionState
    lane_queue: list[Case] = field(default_factory=list)
    serial_queue: list[Case] = field(default_factory=list)
    observers: list[Case] = field(default_factory=list)
    provisional: list[tuple[Case, Provisional]] = field(default_factory=list)
    unsettled: int = 0
    running: set[str] = field(default_factory=set)


class Scheduler:
    """Turns submitted cases into Findings, as concurrently as each case's phase allows.

    Shared-phase cases run in a pool of ``settings.concurrency`` threads per version. Pristine and exclusive cases
    run one after another on the version's lane; serial cases (fuzzing) on up to ``SERIAL_THREADS`` threads, drawing
    under the Hypothesis lock.
    Observers run once everything else of their version is settled. A case whose server crashed or went silent is
    re-run alone, after all the rest, before its Finding is final. Every thread that waits, waits on a condition.
    """

    def __init__(self, settings: Settings, states: dict[str, VersionState],
                 on_finding: Callable[[Case, Finding], None]) -> None:
        self.settings = settings
        self.states = states
        self.on_finding = on_finding
        self.futures: dict[int, Future[Finding]] = {}
        self._work = {version: _VersionWork(state) for version, state in states.items()}
        self._pools = {version: ThreadPoolExecutor(max_workers=settings.concurrency,
                                                   thread_name_prefix=f"mcptest-{version}")
                       for version in states}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._threads: list[threading.Thread] = []

    def submit(self, cases: Iterable[Case]) -> None:
        """Schedule every case not scheduled yet."""
        fresh: list[Case] = []
        with self._lock:
            for case in cases:
                if case.index not in self.futures:
                    self.futures[case.index] = Future()
                    fresh.append(case)
        runnable: list[Case] = []
        for case in fresh:
            if case.na is not None or case.version not in self._work:
                reason = case.na or f"version {case.version} is not covered"
                self._resolve(case, finding(case, self.states.get(case.version), self.settings, "n/a", reason=reason))
            else:
                runnable.append(case)
        # every case is counted before any thread starts: an observer must not see its version settled while the
        # rest of the same submission is still being queued (it would judge traffic that was not sent yet)
        with self._lock:
            for case in runnable:
                work, phase = self._work[case.version], case.check.phase
                if phase == "observe":
                    work.observers.append(case)
                if phase != "observe" or case.check.prepare is not None:
                    work.unsettled += 1
                if phase in LANE_PHASES:
                    work.lane_queue.append(case)
                elif phase == "serial":
                    work.serial_queue.append(case)
        for case in runnable:
            if case.check.phase == "shared":
                self._pools[case.version].submit(self._run_shared, case, self._work[case.version])
            elif case.check.prepare is not None:
                self._pools[case.version].submit(self._run_prepare, case, self._work[case.version])
        for version in dict.fromkeys(case.version for case in runnable):
            self._start(self._work[version])

    def result(self, case: Case, timeout: float | None = None) -> Finding:
        """The Finding of a submitted case (waits for it)."""
        return self.futures[case.index].result(timeout)

    def _start(self, work: _VersionWork) -> None:
        """Start the version's lane, serial and closing threads that have work and are not running."""
        serial = min(SERIAL_THREADS, self.settings.concurrency)
        with self._lock:
            wanted = [("lane", self._run_lane, bool(work.lane_queue)),
                      *((f"serial-{n}", self._run_serial, len(work.serial_queue) > n) for n in range(serial)),
                      ("close", self._close_version, bool(work.observers or work.unsettled))]
            for name, target, needed in wanted:
                if needed and name not in work.running:
                    work.running.add(name)
                    thread = threading.Thread(target=target, args=(work, name), daemon=True,
                                              name=f"mcptest-{name}-{work.state.version}")
                    self._threads.append(thread)
                    thread.start()

    def _next(self, work: _VersionWork, queue: list[Case], name: str) -> Case | None:
        """The next case of ``queue``, or None after marking the thread ``name`` as stopped (under the lock)."""
        with self._lock:
            if not queue:
                work.running.discard(name)
                return None
            return queue.pop(0)

    def _run_shared(self, case: Case, work: _VersionWork) -> None:
        self._settle(case, run_case(case, work.state, None, self.settings), work)

    def _run_prepare(self, case: Case, work: _VersionWork) -> None:
        """An observer's prepare step, alongside the shared cases (its failures resurface when the observer runs)."""
        state = work.state
        try:
            prepare = case.check.prepare
            with contextlib.suppress(Exception):  # the observer asks the same memos and reports what they raise
                try:
                    if prepare is not None:
                        prepare(CheckContext(state))
                except RequestTimeout as exc:
                    state.drop_if_shared(exc.wire)  # as run_case does
                    raise
        finally:
            with self._changed:
                work.unsettled -= 1
                self._changed.notify_all()

    def _run_lane(self, work: _VersionWork, name: str) -> None:
        lane = Lane(work.state, work.state.spare)
        work.state.spare = None
        with self._lock:
            pristine = sum(case.check.phase == "pristine" for case in work.lane_queue)
        # pristine checks share a process until one of them sends initialize; the lane then needs one more for its
        # exclusive checks: two processes start now (one for a lane with a single pristine check), not one per check
        work.state.handle.prewarm(min(2, pristine))
        try:
            while True:
                with self._lock:
                    work.lane_queue.sort(key=lambda c: (LANE_PHASES.index(c.check.phase), c.check.order, c.index))
                case = self._next(work, work.lane_queue, name)
                if case is None:
                    return
                self._settle(case, run_case(case, work.state, lane, self.settings), work)
        finally:
            lane.close()

    def _run_serial(self, work: _VersionWork, name: str) -> None:
        while (case := self._next(work, work.serial_queue, name)) is not None:
            with HYPOTHESIS:
                outcome = run_case(case, work.state, None, self.settings)
            self._settle(case, outcome, work)

    def _settle(self, case: Case, outcome: Finding | Provisional, work: _VersionWork) -> None:
        if isinstance(outcome, Provisional):
            with self._lock:
                work.provisional.append((case, outcome))
        else:
            self._resolve(case, outcome)
        with self._changed:
            work.unsettled -= 1
            self._changed.notify_all()

    def _close_version(self, work: _VersionWork, name: str) -> None:
        """Once the shared, serial and lane cases of a version settled: observers, then confirmations, one by one."""
        while True:
            with self._changed:
                while work.unsettled:
                    self._changed.wait()
                observers, work.observers = work.observers, []
                provisional, work.provisional = work.provisional, []
                if not observers and not provisional:
                    work.running.discard(name)
                    return
            for case in sorted(observers, key=lambda c: c.index):
                outcome = run_case(case, work.state, None, self.settings)
                if isinstance(outcome, Provisional):
                    provisional.append((case, outcome))
                else:
                    self._resolve(case, outcome)
            self._confirm_all(provisional, work.state)

    def _confirm_all(self, provisional: list[tuple[Case, Provisional]], state: VersionState) -> None:
        """Re-run each crashed or silent case alone, then judge them together: a silence that does not come back is
        explained when another request on the same connection hung for real."""
        reruns = [(case, first, self._alone(case, state, first.recheck))
                  for case, first in sorted(provisional, key=lambda p: p[0].index)]
        hung = {first.wire for _, first, again in reruns
                if first.kind == "silence" and isinstance(again, Provisional) and again.kind == "silence"}
        for case, first, again in reruns:
            verdict = confirmed(case, first, again, state, self.settings, explained=first.wire in hung)
            self._resolve(case, verdict)

    def _alone(self, case: Case, state: VersionState, recheck: object) -> Finding | Provisional:
        again = self._once_alone(case, state, recheck)
        if isinstance(again, Provisional) and again.kind == "crash" and state.handle.transport != "stdio":
            # an HTTP server's process outlives each run alone (stdio's does not): a run before this one may have
            # left it dying, e.g. of a response stream it closed, so the crash counts once it recurs in one more run
            # (on a new process when mcptest launched the server: opening a wire restarts a dead one)
            again = self._once_alone(case, state, recheck)
        return again

    def _once_alone(self, case: Case, state: VersionState, recheck: object) -> Finding | Provisional:
        alone = VersionState(handle=state.handle, surface=state.surface, shared=None, observed=Seen(),
                             fuzz_share=state.fuzz_share)
        lane = Lane(alone) if case.check.phase in LANE_PHASES else None
        try:
            return run_case(case, alone, lane, self.settings, confirming=True, recheck=recheck)
        finally:
            if lane is not None:
                lane.close()
            if alone.shared is not None:
                state.handle.forget(alone.shared)

    def _resolve(self, case: Case, found: Finding) -> None:
        future = self.futures[case.index]
        if not future.done():
            future.set_result(found)
            self.on_finding(case, found)

    def close(self) -> None:
        """Stop scheduling; cases not started get no Finding."""
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=True)
        for thread in list(self._threads):
            thread.join(timeout=self.settings.timeout + 5)
