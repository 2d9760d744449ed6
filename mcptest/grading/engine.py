"""The grading engine: start the submission once, run each rubric item's probe, turn what happened into results."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from mcptest.grading.context import GradeOptions, GradingContext
from mcptest.grading.outcome import GradeReport, ItemResult, Miss, Skip
from mcptest.grading.rubric import Rubric, RubricItem, load_rubric
from mcptest.grading.submission import ServerFailure, StartError
from mcptest.target import Target, TargetError, parse_target

__all__ = ["GradeOptions", "GradingRun", "grade"]


class GradingRun:
    """One submission graded against one rubric. Use as a context manager, or call :meth:`close`.

    The server is started once up front (a submission that does not start gets one clear message and every
    item a miss); items then share it and the other resources of the :class:`GradingContext`.
    """

    def __init__(self, rubric: Rubric, target: str | None, options: GradeOptions | None = None) -> None:
        self.rubric = rubric
        self.options = options or GradeOptions()
        self.target_text = target
        self.report = GradeReport(rubric, target or "", str(self.options.project) if self.options.project else None)
        self._started = time.monotonic()
        self.ctx = GradingContext(rubric, self._parse(target), self.options)
        self._begun = False

    def _parse(self, target: str | None) -> Target | None:
        if target is None:
            if self.rubric.subject == "server":
                raise TargetError(f"{self.rubric.exercise} grades a server: give the command that starts it")
            return None
        parsed = parse_target(target, launch=self.options.launch)
        if parsed.kind not in ("stdio", "http"):
            raise TargetError(f"grading starts the server itself: give a command or an http(s):// URL, "
                              f"not {target!r}")
        if parsed.kind == "http" and "{port}" in parsed.url and not parsed.launch:
            raise TargetError(f"{target!r} has a {{port}} placeholder: also give --launch with the command")
        return parsed

    def begin(self, items: Iterable[RubricItem] | None = None) -> None:
        """Start the shared server (for server rubrics), then the background work of ``items`` (the conformance
        suite), so it overlaps with the other items."""
        from mcptest.grading.probes import PROBES

        if self._begun:
            return
        self._begun = True
        if items is not None:
            items = list(items)
            if len(items) != len(self.rubric.items):
                self.report.selected = tuple(items)
        if self.rubric.subject == "server":
            try:
                self.ctx.server("main")
            except StartError as exc:
                self.report.start_error = str(exc)
                return
            except Skip:
                pass  # a bare URL the grader cannot configure: probes skip what needs configuration
        for item in items if items is not None else self.rubric.items:
            prepare = getattr(PROBES[item.probe], "prepare", None)
            if prepare is not None:
                prepare(self.ctx, **item.params)

    def run_item(self, item: RubricItem) -> ItemResult:
        """Run one item's probe and record its result."""
        from mcptest.grading.probes import PROBES

        self.begin()
        started = time.monotonic()
        if self.report.start_error is not None:
            result = ItemResult(item, "miss", "not graded: the server did not start (see the message above)")
        else:
            try:
                PROBES[item.probe](self.ctx, **item.params)
                result = ItemResult(item, "pass")
            except Miss as miss:
                result = ItemResult(item, "miss", miss.evidence, miss.details)
            except Skip as skip:
                result = ItemResult(item, "skip", skip.reason)
            except (ServerFailure, StartError) as exc:
                result = ItemResult(item, "miss", str(exc).split("\n")[0], str(exc))
            except Exception as exc:  # noqa: BLE001 - a bug in one probe must not end the grading
                trace = "".join(traceback.format_exception(exc)[-8:])
                result = ItemResult(item, "error", f"{type(exc).__name__}: {exc}", trace)
        result = ItemResult(result.item, result.status, result.evidence, result.details,
                            time.monotonic() - started)
        self.report.results.append(result)
        self.report.seconds = time.monotonic() - self._started
        return result

    def run(self, items: Iterable[RubricItem] | None = None,
            on_result: Callable[[ItemResult], None] | None = None) -> GradeReport:
        """Run ``items`` (default: the whole rubric) in order."""
        chosen = list(items) if items is not None else list(self.rubric.items)
        self.begin(chosen)
        for item in chosen:
            result = self.run_item(item)
            if on_result is not None:
                on_result(result)
        return self.report

    def close(self) -> None:
        """Stop everything the run started."""
        self.ctx.close()

    def __enter__(self) -> GradingRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def grade(exercise: str | Path | Rubric, target: str | None, options: GradeOptions | None = None,
          only: Iterable[str] | None = None) -> GradeReport:
    """Grade a submission: ``grade("exercise-1", "python server.py")``.

    Args:
        exercise: a packaged rubric name, a rubric file, or a loaded Rubric.
        target: the server (a command, or an http URL with ``options.launch``); None for project-only rubrics.
        options: timeouts, PostgreSQL URL, project folder, Docker base image.
        only: item ids to grade (default: all).
    """
    rubric = exercise if isinstance(exercise, Rubric) else load_rubric(exercise)
    items = [rubric.item(i) for i in only] if only is not None else None
    with GradingRun(rubric, target, options) as run:
        return run.run(items)
