"""Learner-style submissions get the partial score their flaws earn, with feedback that names the flaws.

Each submission is graded once per session on every item except the conformance suite (graded for the
reference server and for two submissions in test_reference.py / test_conformance_item below). The scores are
pinned: a change in a probe that moves one of them must be a deliberate change of the pins.
"""

from __future__ import annotations

import pytest

from mcptest.grading.rubric import load_rubric
from tests.grading.conftest import feedback, graded, statuses

NO_SUITE = ("conformance",)


def expect(report, misses: dict[str, tuple[str, ...]], score: int) -> None:  # noqa: ANN001 - GradeReport
    """Every item passes except ``misses``, whose feedback contains every given phrase; the score is ``score``."""
    got = statuses(report)
    assert {item for item, status in got.items() if status != "pass"} == set(misses), report.as_dict()
    for item, phrases in misses.items():
        line = feedback(report, item)
        for phrase in phrases:
            assert phrase in line, f"{item}: {phrase!r} not in {line!r}"
    assert report.score == score, report.as_dict()
    assert not report.errors


@pytest.mark.usefixtures("need_postgres")
def test_module_style_exercise_1() -> None:
    """The module's own code: f-string SQL, POSTs retried, plain exceptions, a start-up print, a silent monitor."""
    report = graded("exercise-1", "module_style", skip=NO_SUITE)
    expect(report, {
        "invalid-input": ("create_user with an empty name succeeded", "Validate arguments"),
        "injection": ("get_user('0 OR 1=1') returned a user", "Never build SQL with f-strings"),
        "no-post-replay": ("sent 3 times", "Do not retry POST"),
        "metrics-move": ("request counter went from 0 to 0", "record_request()"),
        "logs-on-stderr": ("not MCP messages to stdout", "Replace print() with logging"),
    }, score=59)
    assert report.total == 90


@pytest.mark.usefixtures("need_postgres")
def test_blocking_sync_exercise_1() -> None:
    """requests + time.sleep, a breaker that never closes, no pool, a hard-coded log level."""
    report = graded("exercise-1", "blocking_sync", skip=NO_SUITE)
    expect(report, {
        "log-level": ("MCP_LOG_LEVEL=ERROR the server still logged", "MCPServer(log_level=...)"),
        "pg-pool": ("8 different backend pids", "Create one asyncpg pool"),
        "circuit-closes": ("the circuit never closed", "CIRCUIT_RESET_TIMEOUT_FRAGILE=2", "half-open"),
        "responsive": ("the event loop was blocked", "time.sleep and requests.get"),
    }, score=72)


def test_blocking_sync_exercise_2() -> None:
    """Always the first instance, no trace headers, no compensation."""
    report = graded("exercise-2", "blocking_sync", skip=NO_SUITE)
    expect(report, {
        "load-balance": ("all went to one instance", "round-robin"),
        "failover": ("6 of 6 calls failed", "next instance"),
        "trace-context": ("no valid W3C traceparent", "inject it into every outbound request"),
        "compensation": ("was not cancelled", "compensating action"),
    }, score=35)


@pytest.mark.usefixtures("need_postgres")
def test_no_retry_exercise_1() -> None:
    """No retries, no breaker, a batch committed statement by statement, a hard-coded server name."""
    report = graded("exercise-1", "no_retry", skip=NO_SUITE)
    expect(report, {
        "server-name": ("introduced itself as 'my-production-server'", "MCP_SERVER_NAME"),
        "batch-atomic": ("2 of 3 statements stayed committed", "one transaction"),
        "retry-to-success": ("gave up after 1 request(s)", "exponential backoff"),
        "circuit-opens": ("calls still reach a service that always fails", "circuit breaker per service"),
        "circuit-closes": ("the circuit never opened",),
    }, score=65)


@pytest.mark.usefixtures("need_postgres")
def test_from_doc_exercise_1() -> None:
    """Written from docs/grading.md alone (before the ToolError paragraph existed): plain exceptions only."""
    report = graded("exercise-1", "from_doc", skip=NO_SUITE)
    expect(report, {"invalid-input": ("Error executing tool create_user", "ToolError")}, score=83)


def test_from_doc_exercise_2() -> None:
    report = graded("exercise-2", "from_doc", skip=NO_SUITE)
    expect(report, {"compensation": ("order was cancelled, but create_order failed with only", "ToolError")},
           score=80)


def test_a_server_that_does_not_start_gets_zero_with_one_message() -> None:
    report = graded("exercise-1", "broken_start")
    assert report.score == 0 and report.total == 100
    assert report.start_error is not None and "exited with code 1" in report.start_error
    assert "No module named 'mcp.server.fastmcp'" in report.start_error
    assert set(statuses(report).values()) == {"miss"} and not report.errors


@pytest.mark.usefixtures("need_docker")
def test_deploy_flawed_exercise_3() -> None:
    """The module's Dockerfile and manifests: root, a HEALTHCHECK needing requests, no probes, a committed Secret,
    deploy without tests, no error-rate alert; and MCPServer on 0.0.0.0 without an Origin check."""
    report = graded("exercise-3", "deploy_flawed")
    expect(report, {
        "image-non-root": ("runs as root (USER is not set)", "useradd"),
        "image-healthcheck": ("No module named 'requests'", "standard library only"),
        "image-suite": ("HTTP-09",),
        "k8s-probes": ("has no livenessProbe and no readinessProbe",),
        "k8s-secrets": ("(Secret mcp-secrets) commits secret values (database-url)", "kubectl create secret"),
        "ci-tests-before-deploy": ("job 'deploy' deploys without needing a job that runs the tests", "needs: [test]"),
        "alert-rules": ("no alert watches the error rate", "error ratio"),
    }, score=42)


def test_the_conformance_item_names_the_failed_requirement() -> None:
    """module_style's start-up print breaks STDIO-01 (at both versions it speaks): the suite item misses."""
    others = [item.id for item in load_rubric("exercise-1").items if item.id != "conformance"]
    report = graded("exercise-1", "module_style", skip=others)
    expect(report, {"conformance": ("2 MUST finding(s) (STDIO-01)", "MUST NOT write anything to its `stdout`",
                                    "mcptest check")}, score=0)
