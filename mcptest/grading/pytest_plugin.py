"""pytest wiring for grading: ``--mcp-grade EXERCISE`` turns the rubric's items into test items (one engine)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

RUBRIC_KEY = pytest.StashKey[Any]()
RUN_KEY = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mcptest-grade", "Grading course exercises (mcptest, see docs/grading.md)")
    group.addoption("--mcp-grade", dest="mcp_grade", default=None, metavar="EXERCISE",
                    help="Grade the --mcp-server (or --mcp-grade-project) against a rubric: exercise-1, exercise-2, "
                         "exercise-3 or a rubric file; each rubric item becomes a test.")
    group.addoption("--mcp-grade-project", dest="mcp_grade_project", default=None, metavar="DIR",
                    help="The project folder graded by exercise-3 (and the server's working directory).")
    parser.addini("mcp_grade", "Rubric to grade against (exercise-1/2/3); env MCPTEST_GRADE.", default=None)
    parser.addini("mcp_grade_project", "Project folder for grading; env MCPTEST_GRADE_PROJECT.", default=None)


def _setting(config: pytest.Config, name: str) -> str | None:
    """Command line > ini > ``MCPTEST_<NAME>`` environment variable."""
    value = config.getoption(name) or config.getini(name) or os.environ.get(f"MCPTEST_{name[4:].upper()}")
    return str(value) if value else None


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    exercise = _setting(config, "mcp_grade")
    if not exercise:
        return
    from mcptest.grading.rubric import RubricError, load_rubric

    try:
        rubric = load_rubric(exercise)
    except RubricError as exc:
        raise pytest.UsageError(f"--mcp-grade: {exc}") from None
    config.stash[RUBRIC_KEY] = rubric
    source = str(rubric.source)
    if config.args_source == pytest.Config.ArgsSource.ARGS and not _only_suite(config):
        config.args = [*config.args, source]
    else:
        config.args = [source]  # grading replaces the built-in suite that --mcp-server would otherwise run


def _only_suite(config: pytest.Config) -> bool:
    from mcptest import suite

    return [Path(a) for a in config.args] == [Path(suite.__file__).parent]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    rubric = parent.config.stash.get(RUBRIC_KEY, None)
    if rubric is not None and file_path == rubric.source:
        return RubricFile.from_parent(parent, path=file_path, nodeid=rubric.exercise)  # ids: exercise-1::injection
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the submission once the selected items are known (so background work covers only those)."""
    items = [item.rubric_item for item in session.items if isinstance(item, GradeItem)]
    if items and not session.config.option.collectonly:
        grading_run(session.config).begin(items)


def grading_run(config: pytest.Config) -> Any:
    """The session's GradingRun, created on first use from the mcptest settings."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        from mcptest.grading.context import GradeOptions
        from mcptest.grading.engine import GradingRun
        from mcptest.suite_items import SETTINGS_KEY
        from mcptest.target import TargetError

        settings = config.stash[SETTINGS_KEY]
        project = _setting(config, "mcp_grade_project")
        db_url = config.getoption("mcp_db_url", None) or config.getini("mcp_db_url") or None
        options = GradeOptions(timeout=max(20.0, settings.timeout), launch=settings.launch,
                               project=Path(project).resolve() if project else None,
                               **({"db_url": db_url} if db_url else {}))
        try:
            run = GradingRun(config.stash[RUBRIC_KEY], settings.server, options)
        except TargetError as exc:
            raise pytest.UsageError(f"--mcp-grade: {exc}") from None
        config.stash[RUN_KEY] = run
    return run


class RubricFile(pytest.File):
    """A rubric file: one GradeItem per rubric item, in the rubric's order."""

    def collect(self) -> Any:
        rubric = self.config.stash[RUBRIC_KEY]
        for rubric_item in rubric.items:
            yield GradeItem.from_parent(self, name=rubric_item.id, rubric_item=rubric_item)


class GradeMiss(Exception):
    """A rubric item was missed; carries the ItemResult."""


class GradeItem(pytest.Item):
    """One rubric item as a test: passes, fails with the feedback, or skips with the reason."""

    def __init__(self, *, rubric_item: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rubric_item = rubric_item

    def runtest(self) -> None:
        result = grading_run(self.config).run_item(self.rubric_item)
        self.user_properties += [("points", result.points), ("max_points", self.rubric_item.points),
                                 ("status", result.status)]
        if result.status == "skip":
            pytest.skip(result.evidence)
        if result.status != "pass":
            raise GradeMiss(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, GradeMiss):
            result = excinfo.value.args[0]
            lines = [f"{self.rubric_item.id} ({result.points}/{self.rubric_item.points} points): "
                     f"{self.rubric_item.requirement}", f"{result.status.upper()}: {result.feedback}"]
            if result.details:
                lines += ["", result.details]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.config.stash[RUBRIC_KEY].exercise}::{self.rubric_item.id}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None or not run.report.results:
        return
    report = run.report
    verdict = "PASSED" if report.passed else "NOT PASSED"
    terminalreporter.write_sep("=", f"mcptest grade {report.rubric.exercise}")
    if report.start_error:
        terminalreporter.write_line(f"the server did not start: {report.start_error}")
    terminalreporter.write_line(f"score {report.score}/{report.total} ({report.percent:.0f}%), pass mark "
                                f"{report.rubric.pass_mark:g}%: {verdict}")


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.close()
