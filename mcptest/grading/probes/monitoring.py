"""Monitoring probes: the module's three monitoring tools, their fields, and counters that follow real calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcptest.grading.context import GradingContext
from mcptest.grading.outcome import Miss
from mcptest.grading.probes import probe
from mcptest.grading.submission import RunningServer
from mcptest.grading.tools import call, number, pick, walk

GOOD = {"healthy", "ok", "up", "pass", "passing", "available", "green", "true"}
BAD = {"unhealthy", "down", "error", "fail", "failing", "unavailable", "red", "false", "degraded", "critical"}
REQUESTS = ("request_count", "requests", "total_requests", "requests_total", "requestCount", "calls", "call_count")
ERRORS = ("error_count", "errors", "total_errors", "errors_total", "errorCount", "failures", "failed")
UPTIME = ("uptime", "uptime_s", "uptime_seconds", "uptimeSeconds")


def _answer(server: RunningServer, tool: str) -> Any:
    outcome = call(server, tool, {})
    if outcome.is_error or not isinstance(outcome.payload, Mapping):
        raise Miss(f"{tool} did not answer with an object: {outcome.describe()}")
    return outcome.payload


def health_word(value: Any) -> bool | None:
    """True for a healthy status, False for an unhealthy one, None when the value says neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in GOOD else False if word in BAD else None
    if isinstance(value, Mapping):
        for key in ("status", "state", "health", "healthy"):
            if key in value:
                return health_word(value[key])
        instances = pick(value, "healthy_instances", "healthyInstances")
        if isinstance(instances, int) and not isinstance(instances, bool):
            return instances > 0
    return None


def service_health(report: Mapping[str, Any], service: str) -> bool | None:
    """The health ``check_dependencies`` reports for ``service`` (anywhere in the report)."""
    for node in walk(report):
        if isinstance(node, Mapping) and service in node:
            return health_word(node[service])
    return None


def database_health(report: Mapping[str, Any]) -> bool | None:
    """The health ``check_dependencies`` reports for the database."""
    for node in walk(report):
        if isinstance(node, Mapping):
            for key in ("database", "db", "postgres", "sqlite"):
                if key in node:
                    return health_word(node[key])
    return None


@probe("monitoring-tools")
def monitoring_tools(ctx: GradingContext) -> None:
    """health_check, get_metrics and check_dependencies answer with the module's fields."""
    ctx.require_configurable()
    server = ctx.server("main")
    health = _answer(server, "health_check")
    if health_word(pick(health, "status", "state", "health")) is None:
        raise Miss(f"health_check has no status field saying healthy/degraded/unhealthy: {health}")
    metrics = _answer(server, "get_metrics")
    missing = [what for what, names in (("request count", REQUESTS), ("error count", ERRORS), ("uptime", UPTIME))
               if number(metrics, *names) is None]
    if missing:
        raise Miss(f"get_metrics has no {', '.join(missing)} (looked for {REQUESTS[0]}, {ERRORS[0]}, "
                   f"{UPTIME[0]}): {metrics}")
    deps = _answer(server, "check_dependencies")
    if database_health(deps) is None:
        raise Miss(f"check_dependencies does not report the database's status: {deps}")


@probe("metrics-move")
def metrics_move(ctx: GradingContext) -> None:
    """After three successful calls and one failing call, the request and error counters have moved."""
    ctx.require_configurable()
    server = ctx.server("main")
    first = _answer(server, "get_metrics")
    call(server, "health_check", {})
    call(server, "create_user", {"name": "Metrics Probe", "email": "metrics.probe@example.com"})
    call(server, "health_check", {})
    failing = call(server, "get_user", {"user_id": 987654})
    second = _answer(server, "get_metrics")
    requests = [number(m, *REQUESTS) for m in (first, second)]
    errors = [number(m, *ERRORS) for m in (first, second)]
    if None in requests or None in errors:
        raise Miss(f"get_metrics has no request or error counter: {second}")
    if requests[1] - requests[0] < 4:
        raise Miss(f"the request counter went from {requests[0]:g} to {requests[1]:g} across 4 tool calls")
    if failing.is_error and errors[1] - errors[0] < 1:
        raise Miss(f"the error counter stayed at {errors[1]:g} although get_user failed: {failing.describe()}")


@probe("dependencies")
def dependencies(ctx: GradingContext, healthy: tuple[str, ...] = ("weather",),
                 unhealthy: tuple[str, ...] = ("ghost",)) -> None:
    """check_dependencies reports the database and each configured service: healthy ones as healthy, down ones down."""
    ctx.require_configurable()
    report = _answer(ctx.server("main"), "check_dependencies")
    if database_health(report) is not True:
        raise Miss(f"check_dependencies does not report the (working) database as healthy: {report}")
    for service in healthy:
        if service_health(report, service) is not True:
            raise Miss(f"check_dependencies does not report the service {service!r} (its /health answers 200) as "
                       f"healthy: {report}")
    for service in unhealthy:
        if service_health(report, service) is not False:
            raise Miss(f"check_dependencies does not report the service {service!r} (its instance refuses "
                       f"connections) as unhealthy: {report}")
