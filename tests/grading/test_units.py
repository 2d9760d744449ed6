"""The grading engine's parts on small inputs: rubric files, argument spellings, the project checks, the report."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from mcptest.grading import plan
from mcptest.grading.engine import GradingRun
from mcptest.grading.outcome import GradeReport, ItemResult
from mcptest.grading.project import alerts, envconfig, kubernetes, workflow
from mcptest.grading.project.files import load_yaml_documents, scan
from mcptest.grading.report import render
from mcptest.grading.rubric import RubricError, available, load_rubric
from mcptest.grading.tools import arguments_for
from mcptest.target import TargetError


@pytest.mark.parametrize("name", ["exercise-1", "exercise-2", "exercise-3"])
def test_packaged_rubrics_load_and_total_100(name: str) -> None:
    rubric = load_rubric(name)
    assert rubric.total == 100 and rubric.pass_mark == 70 and rubric.exercise == name
    assert all(item.feedback and item.requirement for item in rubric.items)
    assert available() == ["exercise-1", "exercise-2", "exercise-3"]


def test_a_malformed_rubric_names_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("exercise: x\ntitle: T\npass_mark: 170\nsubject: server\ncolour: red\nitems:\n"
                    "  - {id: one, points: 0, requirement: r, probe: no-such-probe, feedback: f}\n"
                    "  - {id: Two Words, points: 2, requirement: r, probe: conformance}\n")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    message = str(caught.value)
    for phrase in ("pass_mark must be a percentage", "unknown key 'colour'", "points must be a positive",
                   "unknown probe 'no-such-probe'", "id must be a lower-case slug", "feedback must be a non-empty"):
        assert phrase in message
    with pytest.raises(RubricError, match="choose one of: exercise-1, exercise-2, exercise-3"):
        load_rubric("exercise-9")


def test_arguments_follow_the_servers_spelling_through_refs() -> None:
    schema = {
        "type": "object",
        "properties": {"table": {"type": "string"}, "user_id": {"type": "string"},
                       "ops": {"type": "array", "items": {"$ref": "#/$defs/Op"}}},
        "$defs": {"Op": {"type": "object", "properties": {"sql": {"type": "string"},
                                                          "bindings": {"anyOf": [{"type": "array"},
                                                                                 {"type": "null"}]}}}},
    }
    tool = SimpleNamespace(name="batch_operations", input_schema=schema)
    got = arguments_for(tool, {"table_name": "users", "user_id": 7,
                               "operations": [{"query": "SELECT 1", "params": [1]}]})
    assert got == {"table": "users", "user_id": "7", "ops": [{"sql": "SELECT 1", "bindings": [1]}]}
    integer = SimpleNamespace(name="get_user", input_schema={"properties": {"id": {"type": "integer"}}})
    assert arguments_for(integer, {"user_id": "42"}) == {"id": 42}


def test_the_grader_jwt_verifies_with_the_shared_secret() -> None:
    import jwt

    claims = jwt.decode(plan.grader_jwt(now=1_700_000_000), plan.JWT_SECRET, algorithms=["HS256"],
                        options={"verify_exp": False})
    assert claims == {"sub": "mcptest-grader", "iat": 1_700_000_000, "exp": 1_700_003_600}
    assert len(plan.JWT_SECRET) >= 32


def test_service_env_names_follow_the_contract() -> None:
    env = plan.SERVICES["user-service"].env({"main": "http://127.0.0.1:1"})
    assert env == {"SERVICE_URLS_USER_SERVICE": "http://127.0.0.1:1/user-service",
                   "SERVICE_RETRY_DELAY_USER_SERVICE": "0.05"}
    fragile = plan.SERVICES["fragile"].env({"main": "http://h"})
    assert fragile["CIRCUIT_FAILURE_THRESHOLD_FRAGILE"] == "3" and fragile["CIRCUIT_RESET_TIMEOUT_FRAGILE"] == "2"


def test_targets_the_grader_cannot_start_are_usage_errors() -> None:
    rubric = load_rubric("exercise-1")
    with pytest.raises(TargetError, match="give a command or an http"):
        GradingRun(rubric, "docker:some-image").close()
    with pytest.raises(TargetError, match="also give --launch"):
        GradingRun(rubric, "http://127.0.0.1:{port}/mcp").close()
    with pytest.raises(TargetError, match="give the command that starts it"):
        GradingRun(rubric, None).close()


# -- project checks -----------------------------------------------------------------------------------------
RULES = """
groups:
  - name: mcp
    rules:
      - alert: HighErrors
        expr: sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
        for: 10m
        labels: {severity: warning}
      - alert: Down
        expr: absent(up{job="mcp"})
      - record: job:requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
"""


def test_prometheus_rules_are_parsed_and_classified(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(RULES)
    document = load_yaml_documents(tmp_path / "rules.yaml")[0]
    problems, found = alerts.check_rule_file(document, "rules.yaml")
    assert problems == []
    by_name = {name: expression for name, expression in found}
    assert by_name["HighErrors"].error_rate and not by_name["HighErrors"].availability
    assert by_name["Down"].availability and not by_name["Down"].error_rate
    broken = {"groups": [{"name": "g", "rules": [
        {"alert": "A", "expr": "sum(rate(x[5m])", "for": "10 minutes"},
        {"alert": "B", "record": "b", "expr": "up"},
        {"record": "not a name", "expr": "up", "annotations": {"a": "b"}},
    ]}], "extra": 1}
    problems, _ = alerts.check_rule_file(broken, "bad.yaml")
    text = "\n".join(problems)
    for phrase in ("unknown top-level key 'extra'", "not valid PromQL", "'10 minutes' is not a Prometheus duration",
                   "exactly one of alert or record", "not a valid metric name", "'annotations' is not allowed"):
        assert phrase in text


WORKFLOW = """
name: ci
on: {push: {branches: [main]}}
jobs:
  test: {runs-on: ubuntu-latest, steps: [{uses: actions/checkout@v4}, {run: python -m pytest -q}]}
  image: {runs-on: ubuntu-latest, needs: test, steps: [{run: docker build . && docker push r/i}]}
  deploy: {runs-on: ubuntu-latest, needs: [image], steps: [{run: kubectl apply -f k8s/}]}
"""


def test_workflows_are_schema_checked_and_deploy_must_follow_tests(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    document = load_yaml_documents(tmp_path / "ci.yaml")[0]
    assert "on" in document and workflow.schema_errors(document) == []
    assert workflow.tests_before_deploy(document) == (True, "")
    document["jobs"]["image"].pop("needs")
    assert workflow.tests_before_deploy(document) == (False, "job 'image' deploys without needing a job that runs "
                                                             "the tests")
    same_job = {"jobs": {"all": {"runs-on": "x", "steps": [{"run": "pytest"}, {"run": "helm upgrade app ./chart"}]}}}
    assert workflow.tests_before_deploy(same_job) == (True, "")
    invalid = {"on": "push", "jobs": {"build": {"steps": [{"run": "make"}]}}}
    assert any("runs-on" in error for error in workflow.schema_errors(invalid))


def test_environment_configs_pair_by_kind_and_keep_secrets_out(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dev.yaml").write_text("log_level: DEBUG\ndb: {url: 'sqlite:///dev.db'}\n")
    (tmp_path / "config" / "prod.yaml").write_text("log_level: INFO\ndb: {url: '${DATABASE_URL}'}\n")
    (tmp_path / ".env.production").write_text("JWT_SECRET=${JWT_SECRET}\nAPI_KEY_WEATHER=abc123\n")
    groups, errors = envconfig.grouped(scan(tmp_path))
    assert errors == [] and [g.kind for g in groups] == ["config/*.yaml"]
    assert envconfig.secrets_in(envconfig.dotenv("JWT_SECRET=${JWT_SECRET}\nAPI_KEY_WEATHER=abc123\n")) == [
        "API_KEY_WEATHER"]
    assert envconfig.secrets_in({"database.url": "postgresql://app:hunter2@db/app"}) == [
        "database.url (a password inside the URL)"]
    assert envconfig.debug_settings({"log_level": "DEBUG", "debug": "false"}) == ["log_level=DEBUG"]


def test_kubernetes_helpers_see_literal_secrets_and_missing_limits() -> None:
    reference = {"secretKeyRef": {"name": "a", "key": "b"}}
    container = {"name": "app", "env": [{"name": "JWT_SECRET", "value": "s3cret"},
                                        {"name": "DATABASE_URL", "valueFrom": reference},
                                        {"name": "MCP_LOG_LEVEL", "value": "INFO"}],
                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}}
    assert kubernetes.literal_secrets(container) == ["JWT_SECRET"]
    assert kubernetes.missing_resources(container) == ["limits.cpu"]
    deployment = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [container]}}}}
    assert list(kubernetes.containers(deployment)) == [container]


# -- what the learner reads ----------------------------------------------------------------------------------
def test_the_table_shows_points_results_and_one_feedback_line_per_miss() -> None:
    rubric = load_rubric("exercise-2")
    items = rubric.items
    report = GradeReport(rubric, "python server.py", results=[
        ItemResult(items[0], "pass"),
        ItemResult(items[1], "miss", "6 of 6 calls failed"),
        ItemResult(items[2], "skip", "PostgreSQL is not reachable"),
    ], selected=items[:3])
    out = io.StringIO()
    render(report, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "load-balance" in text and "15/15" in text and "0/15" in text and "MISS" in text and "SKIP" in text
    assert f"6 of 6 calls failed. {items[1].feedback}" in " ".join(text.split()).replace("│ ", "")
    assert "Score: 15/40 (38%), pass mark 70%: NOT PASSED" in text
    assert "10 points were not graded on this machine" in text
