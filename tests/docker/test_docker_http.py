"""Docker targets over HTTP: a detached container published on 127.0.0.1, readiness, failures, removal."""

from __future__ import annotations

import time

import httpx
import pytest
from docker.errors import NotFound

from mcptest.launch.docker import run_http_container
from mcptest.launch.process import LaunchError

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def test_http_container_answers_on_loopback_and_stop_removes_it(http_image, our_containers) -> None:
    url, container = served = run_http_container(http_image, 8000, {"FIXTURE_VERSION": "2.5.0"})
    try:
        reply = httpx.post(url, json=INITIALIZE, headers={"Accept": "application/json"}, trust_env=False)
        bindings = container.attrs["NetworkSettings"]["Ports"]["8000/tcp"]
    finally:
        served.stop()

    assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
    assert reply.json()["result"]["serverInfo"] == {"name": "http-fixture", "version": "2.5.0"}
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
    with pytest.raises(NotFound):
        container.reload()
    assert our_containers.list() == []


def test_http_container_that_exits_reports_its_code_and_logs(http_image, our_containers) -> None:
    crash = ["python3", "-c", "import sys; print('missing config file /etc/srv.yaml', file=sys.stderr); sys.exit(3)"]

    with pytest.raises(LaunchError) as caught:
        run_http_container(http_image, 8000, {}, command=crash, timeout=30.0)

    message = str(caught.value)
    assert "did not answer HTTP" in message
    assert "the container exited with code 3" in message
    assert "missing config file /etc/srv.yaml" in message
    assert our_containers.list() == []


def test_http_container_that_never_listens_fails_within_its_timeout(http_image, our_containers) -> None:
    silent = ["python3", "-c", "import threading; threading.Event().wait()"]
    started = time.monotonic()

    expected = r"did not answer HTTP at http://127\.0\.0\.1:\d+/mcp: not ready within 1\.5 s"
    with pytest.raises(LaunchError, match=expected):
        run_http_container(http_image, 8000, {}, command=silent, timeout=1.5)

    assert time.monotonic() - started < 1.5 + 10.0
    assert our_containers.list() == []
