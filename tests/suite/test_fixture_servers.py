"""The suite against every fixture server: each defect is caught with its requirement id, clean servers pass."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml

from mcptest.findings import Finding
from mcptest.runner import SuiteRun, run_all
from mcptest.settings import Settings
from tests.conftest import SERVERS, http_target, sse_target, stdio_target

MANIFEST = [e for path in sorted(SERVERS.glob("manifest*.yaml")) for e in yaml.safe_load(path.read_text())["servers"]]
CONFORMANCE = [e for e in MANIFEST if "kind" not in e]
ROBUSTNESS = {e["kind"]: e for e in MANIFEST if "kind" in e}


def settings_for(entry: dict[str, Any], **overrides: Any) -> Settings:
    if "protocol" in entry:
        overrides.setdefault("protocol", entry["protocol"])
    if entry["transport"] in ("http", "sse"):
        server, launch = (http_target if entry["transport"] == "http" else sse_target)(entry["file"])
        return Settings(server=server, launch=launch, **overrides)
    return Settings(server=stdio_target(entry["file"]), **overrides)


def reported(findings: list[Finding], outcomes: tuple[str, ...]) -> set[str]:
    """Check and requirement ids with one of ``outcomes`` (a crash names both the check and SERVER-ALIVE)."""
    return {i for f in findings if f.outcome in outcomes for i in (f.check, f.requirement)}


def run(settings: Settings) -> SuiteRun:
    result = run_all(settings)
    result.close()
    return result


@pytest.mark.parametrize("entry", CONFORMANCE, ids=[f"{e['file'].removesuffix('.py')}-{e['transport']}" for e in CONFORMANCE])
def test_fixture_server_findings(entry: dict[str, Any]) -> None:
    result = run(settings_for(entry))
    assert result.error is None, result.error
    expected = set(entry["expect"])
    allowed = expected | set(entry.get("may_also", []))
    failed, warned = reported(result.findings, ("fail",)), reported(result.findings, ("warn",))
    unexpected = [f"{f.requirement}[{f.item}] {f.outcome}: {f.message}" for f in result.findings
                  if f.outcome in ("fail", "warn") and not ({f.check, f.requirement} & allowed)]
    assert not unexpected, "false alarms:\n" + "\n".join(unexpected)
    if entry.get("strict"):
        assert expected <= warned, f"SHOULD-level defect {expected} not reported as a warning; warned {warned}"
        assert not expected & failed, f"SHOULD-level defect {expected} failed without --mcp-strict"
    else:
        assert expected <= failed, f"defect {expected} not reported as a failure; failed {failed}, warned {warned}"


def test_should_defect_fails_under_strict() -> None:
    entry = next(e for e in CONFORMANCE if e.get("strict") and e["transport"] == "stdio")
    result = run(settings_for(entry, strict=True))
    assert set(entry["expect"]) <= reported(result.findings, ("fail",))


def test_server_that_never_answers_initialize_ends_within_timeout() -> None:
    started = time.monotonic()
    result = run(settings_for(ROBUSTNESS["hang-initialize"], timeout=2.0))
    elapsed = time.monotonic() - started
    assert result.error is not None
    assert "no response to 'initialize' within 2 s (--mcp-timeout)" in result.error
    assert elapsed < 2.0 + 10.0, f"the run took {elapsed:.1f} s"


def test_server_that_exits_at_start_is_one_line_with_stderr() -> None:
    result = run(settings_for(ROBUSTNESS["exit-at-start"]))
    assert result.error is not None
    assert "exited with code 1" in result.error
    assert "server.toml" in result.error


def test_crash_during_a_check_is_reported_and_the_rest_still_runs() -> None:
    result = run(settings_for(ROBUSTNESS["crash-on-call"]))
    crash = [f for f in result.findings if f.requirement == "SERVER-ALIVE"]
    assert crash and all("exited with code 3" in f.message for f in crash)
    assert any(f.check == "TOOL-05" and f.item == "echo" for f in crash)  # the tool's own check names it
    later = [f for f in result.findings[result.findings.index(crash[0]) + 1:] if f.outcome == "pass"]
    assert len(later) >= 5, "checks after the crash did not run against a restarted server"
    assert result.restarts >= 1


def test_tool_that_hangs_fails_with_the_timeout_and_others_continue() -> None:
    result = run(settings_for(ROBUSTNESS["hang-on-call"], timeout=2.0))
    hung = [f for f in result.findings if f.check == "TOOL-05" and f.item == "echo"]
    assert hung and hung[0].outcome == "fail" and "within 2 s" in hung[0].message
    assert any(f.check == "PING-01" and f.outcome == "pass" for f in result.findings)
    assert {f.check for f in result.findings if f.outcome == "fail"} == {"TOOL-05", "FUZZ-01"}  # one hang, not a cascade


def test_stderr_flood_neither_hangs_nor_alarms() -> None:
    result = run(settings_for(ROBUSTNESS["stderr-flood"]))
    assert result.error is None
    assert not reported(result.findings, ("fail", "warn"))


def test_orphaned_grandchildren_are_ended_too(tmp_path: Path) -> None:
    pidfile = tmp_path / "orphans.txt"
    os.environ["MCPTEST_ORPHAN_PIDFILE"] = str(pidfile)
    try:
        result = run(settings_for(ROBUSTNESS["orphan-child"]))
    finally:
        del os.environ["MCPTEST_ORPHAN_PIDFILE"]
    assert result.error is None
    pids = [int(p) for p in pidfile.read_text().split()] if pidfile.exists() else []
    assert pids, "the orphan-child server did not record its helper's pid"
    still = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not still, f"helper processes {still} outlived the run"
