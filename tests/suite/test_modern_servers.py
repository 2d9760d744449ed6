"""The 2026-07-28 checks: informational defects, id coverage of the test data, and handshake-only servers (n/a)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from mcptest.findings import Finding
from mcptest.runner import run_all
from mcptest.settings import Settings
from mcptest.spec.requirements import REQUIREMENTS
from tests.conftest import SERVERS, http_target, need_service, stdio_target

MANIFEST = yaml.safe_load((SERVERS / "manifest_modern.yaml").read_text())
MODERN_AREAS = ("modern", "mhttp")
NOT_MODERN = "does not speak 2026-07-28"


def _settings(entry: dict[str, Any]) -> Settings:
    extra = {"protocol": entry["protocol"]} if "protocol" in entry else {}
    if entry["transport"] == "http":
        server, launch = http_target(entry["file"])
        return Settings(server=server, launch=launch, **extra)
    return Settings(server=stdio_target(entry["file"]), **extra)


def _modern(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.requirement.startswith(("MOD-", "MHTTP-"))]


@pytest.mark.parametrize("entry", MANIFEST["informational"], ids=[e["file"].removesuffix(".py")
                                                                  for e in MANIFEST["informational"]])
def test_informational_defect_is_reported_as_info_only(entry: dict[str, Any]) -> None:
    result = run_all(_settings(entry))
    result.close()
    assert result.error is None, result.error
    infos = {f.requirement for f in result.findings if f.outcome == "info"}
    assert set(entry["expect"]) <= infos, f"{entry['expect']} not reported as info; info: {infos}"
    alarms = [f"{f.requirement} {f.outcome}: {f.actual}" for f in result.findings if f.outcome in ("fail", "warn")]
    assert not alarms, "a MAY/INFO defect must not fail or warn:\n" + "\n".join(alarms)


def test_every_modern_requirement_has_a_defect_server_or_a_reason() -> None:
    wanted = {rid for rid in REQUIREMENTS if rid.startswith(("MOD-", "MHTTP-"))}
    entries = MANIFEST["servers"] + MANIFEST["informational"]
    caught = {rid for entry in entries for rid in entry["expect"]}
    reasons = MANIFEST.get("reasons") or {}
    assert not wanted - caught - set(reasons), f"no defect server and no reason for {sorted(wanted - caught)}"
    assert all((SERVERS / e["file"]).exists() for e in entries)
    both = {(e["file"], e["transport"]) for e in MANIFEST["servers"]}
    assert len(both) == len(MANIFEST["servers"]), "a server and transport are listed twice"


def _not_modern(findings: list[Finding]) -> None:
    modern = _modern(findings)
    assert modern, "no 2026-07-28 check was planned"
    judged = [f"{f.requirement} {f.outcome}" for f in modern if f.outcome != "n/a"]
    assert not judged, f"a handshake-only server was judged at 2026-07-28: {judged}"
    assert all(NOT_MODERN in f.reason for f in modern), {f.reason for f in modern}


def test_handshake_only_raw_server_is_not_checked_at_2026() -> None:
    result = run_all(Settings(server=stdio_target("clean_raw.py")), MODERN_AREAS)
    result.close()
    assert result.error is None, result.error
    assert "2025-11-25" in result.versions and "2026-07-28" not in result.versions
    assert NOT_MODERN in result.skipped["2026-07-28"]
    _not_modern(result.findings)


def test_server_everything_is_reported_as_not_speaking_2026(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    need_service(all(os.environ.get(v) for v in ("MCPTEST_NODE", "MCPTEST_SERVER_EVERYTHING")),
                 'Node 22 and server-everything (eval "$(bash .ci/node.sh)")')
    monkeypatch.chdir(tmp_path)
    node, everything = os.environ["MCPTEST_NODE"], os.environ["MCPTEST_SERVER_EVERYTHING"]
    command = f"env -i PATH={os.environ['PATH']} {node} {everything} stdio"
    result = run_all(Settings(server=command, timeout=20.0), MODERN_AREAS)
    result.close()
    assert result.error is None, result.error
    assert "2026-07-28" not in result.versions
    _not_modern(result.findings)
