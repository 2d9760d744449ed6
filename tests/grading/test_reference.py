"""The reference server and its deploy/ folder score 100 % on all three exercises (full rubrics, suite included)."""

from __future__ import annotations

import pytest

from mcptest.grading.context import GradeOptions
from mcptest.grading.engine import grade
from tests.grading.conftest import ROOT, graded, server_command, statuses


def assert_full_marks(exercise: str) -> None:
    report = graded(exercise, "reference")
    assert statuses(report) == {item.id: "pass" for item in report.rubric.items}, [
        (r.item.id, r.status, r.feedback, r.details[-2000:]) for r in report.results if r.status != "pass"]
    assert (report.score, report.total, report.passed) == (100, 100, True)
    print(f"measured: reference {exercise}: 100/100 in {report.seconds:.1f} s; slowest item "
          f"{max(report.results, key=lambda r: r.seconds).item.id}")


@pytest.mark.usefixtures("need_postgres")
def test_reference_server_scores_100_on_exercise_1() -> None:
    assert_full_marks("exercise-1")


def test_reference_server_scores_100_on_exercise_2() -> None:
    assert_full_marks("exercise-2")


@pytest.mark.usefixtures("need_docker")
def test_reference_deploy_folder_scores_100_on_exercise_3() -> None:
    assert_full_marks("exercise-3")


@pytest.mark.usefixtures("need_postgres")
def test_grading_is_deterministic() -> None:
    """The same submission graded twice gets the same verdicts and score (the items that involve retries, back-off,
    breakers and counters; the suite is left out for time)."""
    items = ["invalid-input", "injection", "batch-atomic", "retry-to-success", "no-post-replay", "circuit-opens",
             "circuit-closes", "metrics-move", "logs-on-stderr"]
    runs = [grade("exercise-1", server_command("module_style"), GradeOptions(project=ROOT), only=items)
            for _ in range(2)]
    first, second = ([(r.item.id, r.status, r.points) for r in run.results] for run in runs)
    assert first == second and runs[0].score == runs[1].score == 22 and runs[0].total == 53
