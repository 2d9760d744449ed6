"""The engine entry: start a target, cover its protocol versions, plan every check, run them, keep the Findings."""

from __future__ import annotations

import importlib
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from mcptest.connect import ServerHandle, target_from_settings
from mcptest.coverage import Coverage, cover
from mcptest.findings import Finding
from mcptest.launch.process import LaunchError
from mcptest.observe import Observations
from mcptest.plan import Case, build
from mcptest.settings import Settings
from mcptest.target import TargetError


@dataclass
class SuiteRun:
    """One target under test: its handle, the versions covered, the plan, and the findings so far.

    ``findings`` lists every finished case's Finding in plan order, whatever order they finished in.
    """

    settings: Settings
    handle: ServerHandle | None = None
    coverage: Coverage | None = None
    observations: Observations = field(default_factory=Observations)
    error: str | None = None
    cases: list[Case] = field(default_factory=list)
    scheduler: Any = None
    _done: dict[int, Finding] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, settings: Settings) -> SuiteRun:
        """Start (or reach) the target, probe its eras and discover each covered version.

        A failure is kept in ``error`` (every case is then n/a with it), never raised.
        """
        run = cls(settings)
        try:
            run.handle = ServerHandle(target_from_settings(settings), settings, cwd=os.getcwd(),
                                      observer=run.observations)
        except TargetError as exc:
            run.error = str(exc)
        preload = _preload(settings)
        try:
            if run.handle is not None:
                run.handle.start()
                run.coverage = cover(run.handle, settings.protocol)
                run.error = run.coverage.error()
        except (LaunchError, TargetError) as exc:
            run.error = str(exc)
        if run.coverage is not None:
            for version, state in run.coverage.states.items():
                state.observed = run.observations.at(version)
                state.spare = run.coverage.spares.pop(version, None)
                state.fuzz_share = len(run.coverage.states)
        preload.join()
        run.cases = build(run.coverage, run.transport, run.error)
        if run.error is None and run.coverage is not None:
            from mcptest.schedule import Scheduler

            run.scheduler = Scheduler(settings, run.coverage.states, run._record)
        else:
            run.close_handle()
        return run

    @property
    def transport(self) -> str:
        return self.handle.transport if self.handle is not None else ""

    @property
    def versions(self) -> list[str]:
        """The protocol versions this run checks, oldest first."""
        return self.coverage.versions if self.coverage is not None else []

    @property
    def skipped(self) -> dict[str, str]:
        """Every known version this run does not check, with the reason (and the option that would check it)."""
        return dict(self.coverage.skipped) if self.coverage is not None else {}

    @property
    def restarts(self) -> int:
        states = self.coverage.states.values() if self.coverage is not None else ()
        return sum(s.restarts for s in states) + (self.handle.restarts if self.handle is not None else 0)

    def planned(self, area: str | None = None) -> list[Case]:
        """The cases of ``area`` (all when None), in plan order."""
        return [c for c in self.cases if area is None or c.check.area == area]

    def submit(self, cases: list[Case]) -> None:
        """Start running ``cases`` in the background (n/a ones resolve at once)."""
        if self.scheduler is not None:
            self.scheduler.submit(cases)
        else:
            from mcptest.execute import finding

            for case in cases:
                self._record(case, finding(case, None, self.settings, "n/a",
                                           reason=case.na or f"not run: {self.error}"))

    def result(self, case: Case) -> Finding:
        """The Finding of ``case`` (submitting it when nobody did; waits until it is known)."""
        with self._lock:
            known = self._done.get(case.index)
        if known is not None:
            return known
        self.submit([case])
        if self.scheduler is None:
            return self._done[case.index]
        return self.scheduler.result(case)

    def run(self, cases: list[Case] | None = None) -> list[Finding]:
        """Run ``cases`` (default: the whole plan) and wait for every Finding."""
        chosen = self.cases if cases is None else cases
        self.submit(chosen)
        return [self.result(case) for case in chosen]

    def _record(self, case: Case, found: Finding) -> None:
        with self._lock:
            self._done[case.index] = found

    @property
    def findings(self) -> list[Finding]:
        """Every Finding known so far, in plan order."""
        with self._lock:
            return [self._done[i] for i in sorted(self._done)]

    def close_handle(self) -> None:
        if self.coverage is not None:
            self.coverage.close()
        if self.handle is not None:
            self.handle.close()

    def close(self) -> None:
        """Stop scheduling, close every connection and stop every process of this run."""
        if self.scheduler is not None:
            self.scheduler.close()
        self.close_handle()


PRELOAD = ["mcptest.checks", "mcptest.schedule", "mcptest.report.items", "mcptest.report.stderr",
           "mcptest.report.summary", "mcptest.report.files"]
"""What the engine and the plugin's hooks import while a run is going or ending: the checks, and the reports'
modules the plugin asks for (``mcptest.serial`` says why nothing may be imported then)."""
FUZZ_PRELOAD = ["mcptest.fuzz.runner", "mcptest.fuzz.stateful", "mcptest.fuzz.fresh", "mcptest.fuzz.replay",
                "mcptest.fuzz.sequence"]
"""What fuzzing imports, when it is on."""


def _preload(settings: Settings) -> threading.Thread:
    """Import the checks (and the fuzzer, when fuzzing) in the background while the server starts and is probed.

    They pull in the SDK's types and Hypothesis: about a second of import time that would otherwise come first.
    Nothing else imports meanwhile: the probes' threads only do I/O (their transport's modules were imported by
    the handle), and the caller waits for this thread before any check runs.
    """
    modules = PRELOAD + (FUZZ_PRELOAD if settings.fuzz_examples else [])

    def load() -> None:
        for name in modules:
            importlib.import_module(name)

    thread = threading.Thread(target=load, daemon=True, name="mcptest-preload")
    thread.start()
    return thread


def run_all(settings: Settings, areas: tuple[str, ...] | None = None) -> SuiteRun:
    """Run every planned case (of ``areas``, when given) without pytest; the caller closes the run.

    Its ``findings`` hold every outcome in plan order, and ``error`` says when the server could not be checked
    (then every case is n/a with that reason).
    """
    run = SuiteRun.start(settings)
    chosen = [c for c in run.cases if areas is None or c.check.area in areas]
    run.run(chosen)
    return run
