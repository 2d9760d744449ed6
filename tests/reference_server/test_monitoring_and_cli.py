"""Metrics and Prometheus output, secret-safe logging, and the command line."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from _refsrv_helpers import FakeClock

from reference_server.config import config_from_dict
from reference_server.logs import JsonFormatter, SecretMask, secrets_of
from reference_server.monitoring import Metrics


def test_metrics_counts_errors_and_latency() -> None:
    clock = FakeClock()
    metrics = Metrics(clock)
    metrics.record("tools/call", 0.02, error=False)
    metrics.record("tools/call", 0.2, error=True)
    metrics.record("ping", 0.001, error=False)
    clock.advance(5)
    snap = metrics.snapshot()
    assert (snap.requests, snap.errors, snap.uptime_s) == (3, 1, 5.0)
    assert snap.error_rate == round(1 / 3, 4) and snap.memory_rss_bytes > 0
    assert snap.by_method["tools/call"] == {"requests": 2, "errors": 1, "avg_latency_ms": 110.0}
    text = metrics.prometheus()
    assert 'mcp_requests_total{method="tools/call"} 2' in text
    assert 'mcp_request_errors_total{method="tools/call"} 1' in text
    assert 'mcp_request_duration_seconds_bucket{method="tools/call",le="0.025"} 1' in text
    assert 'mcp_request_duration_seconds_bucket{method="tools/call",le="+Inf"} 2' in text


def test_secrets_never_reach_the_log() -> None:
    config = config_from_dict(
        {
            "security": {"jwt_secret": "j" * 40},
            "database": {"url": "postgresql://u:db-password@h/d"},
            "services": {"users": {"base_url": "http://127.0.0.1:1", "api_key": "api-key-123"}},
        }
    )
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "calling with %s and %s", ("api-key-123", "j" * 40), None
    )
    SecretMask(secrets_of(config)).filter(record)
    line = JsonFormatter().format(record)
    assert "api-key-123" not in line and "j" * 40 not in line and "calling with *** and ***" in line
    assert set(secrets_of(config)) == {"j" * 40, "db-password", "api-key-123"}


def test_bad_config_exits_2_with_the_key_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("databse:\n  url: x\n")
    done = subprocess.run(
        [sys.executable, "-m", "reference_server", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2
    assert "databse: unknown key (did you mean 'database'?)" in done.stderr
    assert done.stdout == ""  # stdout stays clean for the protocol
