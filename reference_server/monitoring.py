"""Health status, request metrics (count, errors, latency, process memory/CPU) and Prometheus text output."""

from __future__ import annotations

import bisect
import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psutil

from reference_server.clock import Clock
from reference_server.data.base import Database
from reference_server.errors import ReferenceServerError

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ERROR_RATE_DEGRADED = 0.1


@dataclass
class _Series:
    count: int = 0
    errors: int = 0
    total_seconds: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS))


@dataclass(frozen=True)
class MetricsSnapshot:
    """Metrics at one moment (also the get_metrics tool's structured output)."""

    uptime_s: float
    requests: int
    errors: int
    error_rate: float
    avg_latency_ms: float
    memory_rss_bytes: int
    cpu_percent: float
    by_method: dict[str, dict[str, float]]


class Metrics:
    """Counts MCP requests per method, their errors and latency, and reads process resource usage."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.started = clock.monotonic()
        self._series: dict[str, _Series] = defaultdict(_Series)
        self._process = psutil.Process(os.getpid())
        self._process.cpu_percent(None)  # prime: the first reading is always 0.0

    def record(self, method: str, seconds: float, *, error: bool) -> None:
        """Record one finished request."""
        series = self._series[method]
        series.count += 1
        series.errors += int(error)
        series.total_seconds += seconds
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        if index < len(LATENCY_BUCKETS):
            series.buckets[index] += 1

    def snapshot(self) -> MetricsSnapshot:
        """Totals plus per-method counts."""
        requests = sum(s.count for s in self._series.values())
        errors = sum(s.errors for s in self._series.values())
        seconds = sum(s.total_seconds for s in self._series.values())
        by_method = {
            name: {
                "requests": s.count,
                "errors": s.errors,
                "avg_latency_ms": round(s.total_seconds / s.count * 1000, 3) if s.count else 0.0,
            }
            for name, s in sorted(self._series.items())
        }
        return MetricsSnapshot(
            uptime_s=round(self._clock.monotonic() - self.started, 3),
            requests=requests,
            errors=errors,
            error_rate=round(errors / requests, 4) if requests else 0.0,
            avg_latency_ms=round(seconds / requests * 1000, 3) if requests else 0.0,
            memory_rss_bytes=self._process.memory_info().rss,
            cpu_percent=self._process.cpu_percent(None),
            by_method=by_method,
        )

    def prometheus(self, extra_gauges: Mapping[str, float] | None = None) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        snap = self.snapshot()
        lines = [
            "# HELP mcp_uptime_seconds Seconds since the server started.",
            "# TYPE mcp_uptime_seconds gauge",
            f"mcp_uptime_seconds {snap.uptime_s}",
            "# HELP mcp_process_resident_memory_bytes Resident memory of the server process.",
            "# TYPE mcp_process_resident_memory_bytes gauge",
            f"mcp_process_resident_memory_bytes {snap.memory_rss_bytes}",
            "# HELP mcp_process_cpu_percent CPU use of the server process since the last reading.",
            "# TYPE mcp_process_cpu_percent gauge",
            f"mcp_process_cpu_percent {snap.cpu_percent}",
            "# HELP mcp_requests_total MCP requests handled, by method.",
            "# TYPE mcp_requests_total counter",
        ]
        lines += [f'mcp_requests_total{{method="{_label(m)}"}} {s.count}' for m, s in sorted(self._series.items())]
        lines += [
            "# HELP mcp_request_errors_total MCP requests that failed, by method.",
            "# TYPE mcp_request_errors_total counter",
        ]
        lines += [
            f'mcp_request_errors_total{{method="{_label(m)}"}} {s.errors}' for m, s in sorted(self._series.items())
        ]
        lines += [
            "# HELP mcp_request_duration_seconds MCP request latency.",
            "# TYPE mcp_request_duration_seconds histogram",
        ]
        for method, series in sorted(self._series.items()):
            label, running = _label(method), 0
            for bound, count in zip(LATENCY_BUCKETS, series.buckets, strict=True):
                running += count
                lines.append(f'mcp_request_duration_seconds_bucket{{method="{label}",le="{bound}"}} {running}')
            lines.append(f'mcp_request_duration_seconds_bucket{{method="{label}",le="+Inf"}} {series.count}')
            lines.append(f'mcp_request_duration_seconds_sum{{method="{label}"}} {series.total_seconds:.6f}')
            lines.append(f'mcp_request_duration_seconds_count{{method="{label}"}} {series.count}')
        for name, value in (extra_gauges or {}).items():
            lines += [f"# TYPE {name} gauge", f"{name} {value}"]
        return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass(frozen=True)
class HealthReport:
    """Overall status with the facts it was derived from."""

    status: str
    database: str
    database_error: str | None
    error_rate: float
    uptime_s: float

    def as_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "status": self.status,
            "database": self.database,
            "database_error": self.database_error,
            "error_rate": self.error_rate,
            "uptime_s": self.uptime_s,
        }


async def database_status(db: Database) -> tuple[str, str | None]:
    """``("up", None)`` when the database answers, else ``("down", reason)``."""
    try:
        await db.ping()
    except ReferenceServerError as exc:
        return "down", str(exc)
    except Exception as exc:  # a broken driver must degrade health, not crash the health endpoint
        return "down", f"{type(exc).__name__}: {exc}"
    return "up", None


async def health(db: Database, metrics: Metrics) -> HealthReport:
    """healthy / degraded (error rate above 10 %) / unhealthy (database down)."""
    db_state, db_error = await database_status(db)
    snap = metrics.snapshot()
    if db_state != "up":
        status = "unhealthy"
    elif snap.error_rate > ERROR_RATE_DEGRADED and snap.requests >= 20:
        status = "degraded"
    else:
        status = "healthy"
    return HealthReport(status, db_state, db_error, snap.error_rate, snap.uptime_s)
