"""Grading tests: learner submissions and the reference server graded once per session, services required."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from mcptest.grading.context import GradeOptions
from mcptest.grading.engine import grade
from mcptest.grading.outcome import GradeReport
from mcptest.grading.rubric import load_rubric
from tests.conftest import ROOT, need_service

SUBMISSIONS = ROOT / "fixtures" / "submissions"
PY = sys.executable
_REPORTS: dict[tuple[str, str, tuple[str, ...]], GradeReport] = {}


def postgres_available() -> bool:
    """Whether MCPTEST_DB_URL names a PostgreSQL server that answers."""
    url = os.environ.get("MCPTEST_DB_URL")
    if not url:
        return False
    from mcptest.mocks import postgres
    from mcptest.mocks.errors import ServiceUnavailableError

    try:
        postgres.connect(url, purpose="to check that PostgreSQL is up").close()
    except ServiceUnavailableError:
        return False
    return True


def docker_available() -> bool:
    """Whether a Docker engine with the base image answers."""
    from mcptest.launch import docker as mcp_docker
    from mcptest.launch.process import LaunchError

    try:
        mcp_docker.check_image(mcp_docker.client(), os.environ.get("MCPTEST_DOCKER_BASE_IMAGE",
                                                                   "mcptest-base:bookworm"))
    except LaunchError:
        return False
    return True


def server_command(submission: str) -> str:
    """How a learner starts a submission's server."""
    if submission == "reference":
        return f"{PY} -m reference_server"
    return f"{PY} {SUBMISSIONS / submission / 'server.py'}"


def graded(exercise: str, submission: str, *, skip: Iterable[str] = ()) -> GradeReport:
    """The report for a submission (graded once per session), all items but those in ``skip``."""
    key = (exercise, submission, tuple(sorted(skip)))
    if key not in _REPORTS:
        rubric = load_rubric(exercise)
        only = [item.id for item in rubric.items if item.id not in set(skip)]
        if rubric.subject == "project":
            project = ROOT / "reference_server" / "deploy" if submission == "reference" else SUBMISSIONS / submission
            _REPORTS[key] = grade(rubric, None, GradeOptions(project=project), only=only)
        else:
            _REPORTS[key] = grade(rubric, server_command(submission), GradeOptions(project=ROOT), only=only)
    return _REPORTS[key]


@pytest.fixture
def need_postgres() -> None:
    """Skip (fail in CI) without a reachable PostgreSQL."""
    need_service(postgres_available(), "PostgreSQL (MCPTEST_DB_URL)")


@pytest.fixture
def need_docker() -> None:
    """Skip (fail in CI) without a Docker engine that has the base image."""
    need_service(docker_available(), "a Docker engine with the base image (bash .ci/docker.sh)")


def statuses(report: GradeReport) -> dict[str, str]:
    """Item id -> status."""
    return {result.item.id: result.status for result in report.results}


def feedback(report: GradeReport, item_id: str) -> str:
    """The feedback line of one item."""
    return next(r.feedback for r in report.results if r.item.id == item_id)


Grader = Callable[..., GradeReport]
__all__ = ["Path", "feedback", "graded", "statuses"]
