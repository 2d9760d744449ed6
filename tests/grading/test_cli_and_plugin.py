"""The two front doors as learners and courses meet them: ``mcptest grade`` and ``pytest --mcp-grade``."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.grading.conftest import SUBMISSIONS


def mcptest(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mcptest.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env={**__import__("os").environ, "COLUMNS": "160"})


def test_list_prints_the_rubric() -> None:
    done = mcptest("grade", "exercise-2", "--list")
    assert done.returncode == 0, done.stderr
    for phrase in ("Exercise 2: Microservices Integration", "pass mark 70% of 100 points", "trace-context",
                   "compensation"):
        assert phrase in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("exercise-3",), "exercise-3 grades a project folder: give --project DIR"),
    (("exercise-7", "python x.py"), "no rubric named 'exercise-7'"),
    (("exercise-1",), "exercise-1 grades a server: give the command that starts it"),
    (("exercise-1", "python x.py", "--only", "no-such-item"), "exercise-1 has no item 'no-such-item'"),
])
def test_usage_errors_exit_2_and_say_what_to_give(args: tuple[str, ...], message: str) -> None:
    done = mcptest("grade", *args)
    assert done.returncode == 2 and message in done.stderr, (done.returncode, done.stderr)


def test_a_server_that_does_not_start_scores_0_in_one_message(tmp_path: Path) -> None:
    report = tmp_path / "grade.json"
    done = mcptest("grade", "exercise-1", "python server.py", "--json", str(report),
                   cwd=SUBMISSIONS / "broken_start")
    assert done.returncode == 1, done.stderr
    assert "Your server did not start" in done.stdout and "mcp.server.fastmcp" in done.stdout
    assert "Score: 0/100: none of the 19 items can be graded until the server starts" in done.stdout
    assert "mcptest/grading" not in done.stdout + done.stderr  # no traceback of ours
    data = json.loads(report.read_text())
    assert data["score"] == 0 and data["passed"] is False and "exited with code 1" in data["start_error"]


def test_static_project_items_through_the_cli(tmp_path: Path) -> None:
    report = tmp_path / "grade.json"
    done = mcptest("grade", "exercise-3", "--project", str(SUBMISSIONS / "deploy_flawed"), "--json", str(report),
                   *[a for item in ("k8s-valid", "k8s-probes", "ci-valid", "alert-rules") for a in ("--only", item)])
    assert done.returncode == 1, done.stderr
    assert "Score: 16/30 (53%), pass mark 70%: NOT PASSED" in done.stdout
    data = json.loads(report.read_text())
    assert [(i["id"], i["status"]) for i in data["items"]] == [
        ("k8s-valid", "pass"), ("k8s-probes", "miss"), ("ci-valid", "pass"), ("alert-rules", "miss")]
    assert "no alert watches the error rate" in data["items"][3]["feedback"]


def test_pytest_runs_the_rubric_as_one_test_per_item(pytester: pytest.Pytester) -> None:
    project = SUBMISSIONS / "deploy_flawed"
    result = pytester.runpytest("--mcp-grade", "exercise-3", "--mcp-grade-project", str(project), "-k",
                                "k8s or ci- or env or alert", "--junitxml", "grade.xml", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=4, deselected=4)
    result.stdout.fnmatch_lines([
        "*k8s-probes (0/8 points): Kubernetes deployment manifests*",
        "MISS: k8s/deployment.yaml (Deployment mcp-server) container 'mcp-server' has no livenessProbe*",
        "*mcptest grade exercise-3*",
        "score 30/60 (50%), pass mark 70%: NOT PASSED",
    ])
    cases = {case.get("name"): case for case in ET.parse(pytester.path / "grade.xml").getroot().iter("testcase")}
    assert set(cases) == {"k8s-valid", "k8s-probes", "k8s-resources", "k8s-secrets", "ci-valid",
                          "ci-tests-before-deploy", "env-configs", "alert-rules"}
    points = {p.get("name"): p.get("value") for p in cases["k8s-valid"].iter("property")}
    assert points == {"points": "10", "max_points": "10", "status": "pass"}


def test_pytest_grade_needs_a_known_exercise(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-grade", "exercise-9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mcp-grade: no rubric named 'exercise-9'; choose one of: exercise-1*"])
