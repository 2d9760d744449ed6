"""The deployment files agree with the server they deploy: compose runs only what it uses, Kubernetes probes and
user match the image, no secret value is committed, and every metric an alert reads is one the server exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from _refsrv_helpers import FakeClock

from reference_server.monitoring import Metrics

DEPLOY = Path(__file__).resolve().parents[2] / "reference_server" / "deploy"
DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|API_KEY|TOKEN|DATABASE_URL")


def load(relative: str) -> Any:
    return yaml.safe_load((DEPLOY / relative).read_text(encoding="utf-8"))


def dockerfile_number(pattern: str) -> int:
    """The number ``pattern``'s group captures in the Dockerfile (the user's uid, the exposed port)."""
    match = re.search(pattern, DOCKERFILE)
    assert match, f"the Dockerfile has no line matching {pattern!r}"
    return int(match[1])


def image_uid() -> int:
    return dockerfile_number(r"useradd .*--uid (\d+)")


@pytest.mark.parametrize("path", sorted(p.relative_to(DEPLOY).as_posix() for p in DEPLOY.rglob("*.yaml")))
def test_every_yaml_file_parses(path: str) -> None:
    assert list(yaml.safe_load_all((DEPLOY / path).read_text(encoding="utf-8")))


def test_the_dockerfile_takes_its_base_as_an_argument_and_runs_unprivileged() -> None:
    assert "ARG BASE_IMAGE=python:3.12-slim" in DOCKERFILE and "FROM ${BASE_IMAGE}" in DOCKERFILE
    assert re.search(rf"^USER {image_uid()}:", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/health", DOCKERFILE, re.MULTILINE)


def test_compose_runs_the_server_and_postgresql_only_with_secrets_from_the_environment() -> None:
    services = load("compose.yaml")["services"]
    assert set(services) == {"mcp-server", "db"}
    server, db = services["mcp-server"], services["db"]
    assert server["depends_on"] == {"db": {"condition": "service_healthy"}} and "healthcheck" in db
    assert all(port.startswith("127.0.0.1:") for port in server["ports"])  # not published on every interface
    for service in services.values():
        for name, value in service.get("environment", {}).items():
            if SECRET_NAME.search(name) and value:
                assert "${" in str(value), f"{name} in compose.yaml holds a literal secret; use ${{{name}}}"


def test_kubernetes_probes_resources_user_and_secret_references() -> None:
    deployment = load("k8s/deployment.yaml")
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert deployment["spec"]["replicas"] >= 2
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] == image_uid()
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert {p["containerPort"] for p in container["ports"]} == {dockerfile_number(r"EXPOSE (\d+)")}
    assert set(container["resources"]) == {"requests", "limits"}
    for variable in container["env"]:
        if SECRET_NAME.search(variable["name"]):
            assert "secretKeyRef" in variable.get("valueFrom", {}), f"{variable['name']} must come from a Secret"
    kinds = [doc["kind"] for path in (DEPLOY / "k8s").glob("*.yaml") for doc in yaml.safe_load_all(path.read_text())]
    assert "Secret" not in kinds  # secrets are created out of band, never committed


def test_alerts_read_only_metrics_the_server_exports() -> None:
    metrics = Metrics(FakeClock())
    metrics.record("tools/call", 0.01, error=True)
    exported = {line.split("{")[0].split()[0] for line in metrics.prometheus().splitlines() if line[:1] != "#"}
    rules = [rule for group in load("prometheus/alerts.yaml")["groups"] for rule in group["rules"]]
    used = {name for rule in rules for name in re.findall(r"\bmcp_[a-z_]+", rule["expr"])}
    assert used and used <= exported, f"alerts read metrics the server does not export: {sorted(used - exported)}"
