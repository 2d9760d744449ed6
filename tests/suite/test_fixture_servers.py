"""The suite against every fixture server: each defect is caught at its level with its requirement id, clean servers
produce nothing, and what cannot be judged is n/a with a reason. One suite run per server, several assertions on it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
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


def entry_id(entry: dict[str, Any]) -> str:
    return f"{entry['file'].removesuffix('.py')}-{entry['transport']}" + (
        f"@{entry['protocol']}" if "protocol" in entry else "")


def settings_for(entry: dict[str, Any], **overrides: Any) -> Settings:
    overrides.setdefault("timeout", 30.0)  # only bounds hangs: a loaded machine starts an SDK server slowly
    # fuzzing has its own corpus and defect servers (test_fuzz_servers.py); here a few examples per tool and property
    # keep it in every run (a fuzz false alarm still shows) at a third of the cost, unless the defect is fuzz's
    fuzz_defect = any(req.startswith("FUZZ-") for req in entry.get("expect", []))
    overrides.setdefault("fuzz_examples", 25 if fuzz_defect else 4)
    overrides.setdefault("stateful", bool(entry.get("stateful")))  # manifest_state.yaml: the STATE-* search
    overrides.setdefault("fuzz_all", bool(entry.get("fuzz_all")))
    if "protocol" in entry:
        overrides.setdefault("protocol", entry["protocol"])
    if entry["transport"] in ("http", "sse"):
        server, launch = (http_target if entry["transport"] == "http" else sse_target)(entry["file"])
        return Settings(server=server, launch=launch, **overrides)
    return Settings(server=stdio_target(entry["file"]), **overrides)


def reported(findings: list[Finding], outcomes: tuple[str, ...]) -> set[str]:
    """Check and requirement ids with one of ``outcomes`` (a crash names both the check and SERVER-ALIVE)."""
    return {i for f in findings if f.outcome in outcomes for i in (f.check, f.requirement)}


def outcomes_of(findings: list[Finding], ids: set[str]) -> str:
    """What the checks of a missed defect reported instead (a timing-bound n/a says why), for a failure message."""
    lines = [f"\n  {f.check}[{f.item}] {f.outcome}: {(f.reason or f.message or '')[:300]}" for f in findings
             if {f.check, f.requirement} & ids]
    return "".join(lines) or "\n  (no finding of those checks at all)"


def run(settings: Settings) -> SuiteRun:
    result = run_all(settings)
    result.close()
    return result


def by_check(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


def not_applicable_where_nothing_exists(findings: list[Finding]) -> None:
    """A server with only tools: every per-item check of resources, templates and prompts is one n/a naming the
    undeclared capability; HTTP-only checks are n/a naming the transport; no error anywhere."""
    for check, capability in (("RES-01", "resources"), ("RES-04", "resources"), ("PROMPT-02", "prompts")):
        found = by_check(findings, check)
        assert len(found) == 1 and found[0].outcome == "n/a", found
        assert f"does not declare the {capability!r} capability" in found[0].reason
    for check in ("HTTP-01", "HTTP-14", "HTTP-21"):
        found = by_check(findings, check)
        assert found and all(f.outcome == "n/a" and "only for http servers; this one is stdio" in f.reason
                             for f in found), found
    assert all(f.reason for f in findings if f.outcome == "n/a")


def stdio_checks_not_applicable_over_http(findings: list[Finding]) -> None:
    """Over HTTP the stdio-only checks are n/a naming the transport; the stream checks judged real SSE traffic."""
    for check in ("STDIO-01", "STDIO-05", "LIFE-09"):
        found = by_check(findings, check)
        assert found and all("only for stdio servers; this one is http" in f.reason for f in found), found
    for check in ("HTTP-06", "HTTP-13", "HTTP-14", "HTTP-19", "HTTP-20", "HTTP-21"):
        assert [f.outcome for f in by_check(findings, check)] == ["pass"], by_check(findings, check)


def client_requests_judged(findings: list[Finding]) -> None:
    """The consulting server's requests to the client were observed and judged (not waved through as n/a)."""
    for check in ("LIFE-07", "CAP-01", "CAP-02", "BASE-14", "BASE-13", "RES-09"):
        assert [f.outcome for f in by_check(findings, check)] == ["pass"], by_check(findings, check)


def tasks_judged(findings: list[Finding]) -> None:
    """Task negotiation was probed per tool: CAP-06 on the task-required tool, CAP-04 on the task-forbidden ones."""
    assert {(f.item, f.outcome) for f in by_check(findings, "CAP-06") if f.outcome != "n/a"} == {("echo", "pass")}
    assert {f.item for f in by_check(findings, "CAP-04") if f.outcome == "pass"} == {"add", "divide", "get_note"}
    assert "requires task-augmented calls" in next(f.reason for f in by_check(findings, "TOOL-05") if f.item == "echo")


EXTRA: dict[str, Callable[[list[Finding]], None]] = {
    "clean_raw_tools_only-stdio": not_applicable_where_nothing_exists,
    "clean_raw-http": stdio_checks_not_applicable_over_http,
    "clean_raw_consulting-stdio": client_requests_judged,
    "clean_raw_tasks-stdio": tasks_judged,
}
"""Assertions beyond the manifest's, on the findings of that entry's one run."""


@pytest.mark.parametrize("entry", CONFORMANCE, ids=[entry_id(e) for e in CONFORMANCE])
def test_fixture_server_findings(entry: dict[str, Any]) -> None:
    result = run(settings_for(entry))
    assert result.error is None, result.error
    errors = [f"{f.check}[{f.item}]: {f.reason}" for f in result.findings if f.outcome == "error"]
    assert not errors, "mcptest errors:\n" + "\n".join(errors)
    expected = set(entry["expect"])
    allowed = expected | set(entry.get("may_also", []))
    failed, warned = reported(result.findings, ("fail",)), reported(result.findings, ("warn",))
    informed = reported(result.findings, ("info",))
    unexpected = [f"{f.requirement}[{f.item}] {f.outcome}: {f.message}" for f in result.findings
                  if f.outcome in ("fail", "warn", "info") and not ({f.check, f.requirement} & allowed)]
    assert not unexpected, "false alarms:\n" + "\n".join(unexpected)
    if entry.get("info"):
        assert expected <= informed, f"informational finding {expected} not reported as info; info {informed}"
        assert not expected & (failed | warned), f"informational finding {expected} failed or warned"
    elif entry.get("strict"):
        assert expected <= warned, (f"SHOULD-level defect {expected} not reported as a warning; warned {warned}"
                                    + outcomes_of(result.findings, expected - warned))
        assert not expected & failed, f"SHOULD-level defect {expected} failed without --mcp-strict"
    else:
        assert expected <= failed, (f"defect {expected} not reported as a failure; failed {failed}, warned {warned}"
                                    + outcomes_of(result.findings, expected - failed))
    EXTRA.get(entry_id(entry), lambda _: None)(result.findings)


def test_should_defect_fails_under_strict_and_info_never_does() -> None:
    should = next(e for e in CONFORMANCE if e.get("strict") and e["transport"] == "stdio")
    info = next(e for e in CONFORMANCE if e.get("info") and e["file"].startswith("life10"))
    for entry, outcome in ((should, "fail"), (info, "info")):
        result = run(settings_for(entry, strict=True))
        assert set(entry["expect"]) <= reported(result.findings, (outcome,)), entry["file"]
        others = ("warn",) if outcome == "fail" else ("fail", "warn")
        assert not set(entry["expect"]) & reported(result.findings, others)


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


def test_crash_during_a_check_is_server_alive_at_should_and_the_rest_still_runs() -> None:
    result = run(settings_for(ROBUSTNESS["crash-on-call"]))
    crash = [f for f in result.findings if f.requirement == "SERVER-ALIVE"]
    assert crash and all("exited with code 3" in f.message for f in crash)
    assert {(f.level, f.outcome) for f in crash} == {("SHOULD", "warn")}  # JSON-RPC's rule: MCP has no keyword for it
    assert any(f.check == "TOOL-05" and f.item == "echo" for f in crash)  # the tool's own check names it
    later = [f for f in result.findings[result.findings.index(crash[0]) + 1:] if f.outcome == "pass"]
    assert len(later) >= 5, "checks after the crash did not run against a restarted server"
    assert result.restarts >= 1


def test_tool_that_hangs_is_confirmed_alone_and_others_continue() -> None:
    result = run(settings_for(ROBUSTNESS["hang-on-call"], timeout=2.0))
    hung = [f for f in result.findings if f.check == "TOOL-05" and f.item == "echo"]
    assert [(f.requirement, f.outcome) for f in hung] == [("SERVER-ALIVE", "warn")]
    assert "no response to 'tools/call' within 2 s" in hung[0].actual
    fuzzed = [f for f in result.findings if f.check == "FUZZ-01" and f.item == "echo"]
    assert [(f.requirement, f.outcome) for f in fuzzed] == [("FUZZ-01", "warn")] and "hang" in fuzzed[0].actual
    assert sum(f.outcome == "pass" for f in result.findings) >= 30, "the other checks did not go on"
    assert not reported(result.findings, ("fail",)), "one hang, no MUST finding and no cascade"


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
