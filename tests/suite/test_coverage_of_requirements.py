"""Requirements and tests cover each other: every requirement id has a check and a defect server that breaks it, or a
written reason in fixtures/servers/unbreakable.yaml; every manifest entry expects its defect at the level the
requirement has at the version the entry runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mcptest.checks import CHECKS
from mcptest.spec.requirements import REQUIREMENTS
from mcptest.spec.versions import LATEST_HANDSHAKE
from tests.conftest import ROOT, SERVERS
from tests.suite.test_schema_servers import DEFECTS as SCHEMA_DEFECTS

MANIFESTS = sorted(SERVERS.glob("manifest*.yaml"))
FUZZ_MANIFEST = ROOT / "fixtures" / "fuzz_servers" / "manifest.yaml"
UNBREAKABLE: dict[str, dict[str, str]] = yaml.safe_load((SERVERS / "unbreakable.yaml").read_text())
CHECKED = {c.id for c in CHECKS}


def entries() -> list[tuple[Path, dict[str, Any]]]:
    """Every defect or clean server entry of every fixture-server manifest."""
    return [(path, entry) for path in MANIFESTS for entry in yaml.safe_load(path.read_text())["servers"]]


def broken() -> dict[str, list[str]]:
    """Requirement id -> the servers whose manifest entry expects it (fuzz servers break FUZZ-01/02 by mode)."""
    found: dict[str, list[str]] = {}
    for path, entry in entries():
        for req_id in entry.get("expect", []):
            found.setdefault(req_id, []).append(f"{path.name}: {entry['file']}")
    for entry in yaml.safe_load(FUZZ_MANIFEST.read_text())["servers"]:
        req_id = "FUZZ-01" if entry["mode"] == "valid" else "FUZZ-02"
        found.setdefault(req_id, []).append(f"{FUZZ_MANIFEST.name}: {entry['file']}")
    for server, *_ in SCHEMA_DEFECTS:
        found.setdefault("BASE-18", []).append(f"test_schema_servers.py: {server}")
    return found


def coverage_problems(
    ids: list[str], checked: set[str], found: dict[str, list[str]], written: dict[str, dict[str, str]]
) -> list[str]:
    """Why ``ids`` are not covered: no check and no reason, no defect server and no reason, a reason, a reason
    that no longer applies, an unknown id or key in ``written`` (unbreakable.yaml)."""
    problems = []
    for req_id in ids:
        mine = written.get(req_id) or {}
        if req_id not in checked and "check" not in mine:
            problems.append(f"{req_id}: no check, and unbreakable.yaml gives no reason (register one: mcptest/checks)")
        if req_id not in found and "server" not in mine:
            problems.append(f"{req_id}: no defect server expects it in fixtures/servers/manifest*.yaml, and "
                            "unbreakable.yaml gives no reason why none can break it")
    for req_id, mine in written.items():
        if req_id not in ids:
            problems.append(f"{req_id}: unbreakable.yaml names no such requirement")
            continue
        if set(mine) - {"check", "server"}:
            problems.append(f"{req_id}: unknown keys {sorted(set(mine) - {'check', 'server'})}")
        if "check" in mine and req_id in checked:
            problems.append(f"{req_id}: has a check now: remove the reason why it has none")
        if "server" in mine and req_id in found:
            problems.append(f"{req_id}: {found[req_id][0]} breaks it now: remove the reason why none can")
    return problems


def test_every_requirement_has_a_check_and_a_defect_server_or_a_reason() -> None:
    problems = coverage_problems(list(REQUIREMENTS), CHECKED, broken(), UNBREAKABLE)
    assert not problems, "\n".join(problems)


def test_coverage_rules_catch_a_gap_and_a_stale_reason() -> None:
    ids = ["A-1", "A-2", "A-3", "A-4"]
    found = {"A-1": ["manifest.yaml: a1.py"], "A-3": ["manifest.yaml: a3.py"], "A-4": ["manifest.yaml: a4.py"]}
    written = {"A-3": {"server": "none can"}, "A-4": {"check": "none yet"}, "A-9": {"check": "gone"}}
    problems = "\n".join(coverage_problems(ids, {"A-1", "A-3", "A-4"}, found, written))
    assert "A-2: no check" in problems and "A-2: no defect server" in problems
    assert "A-3: manifest.yaml: a3.py breaks it now" in problems
    assert "A-4: has a check now" in problems
    assert "A-9: unbreakable.yaml names no such requirement" in problems and "A-1" not in problems


def expected_outcome(req_id: str, entry: dict[str, Any]) -> tuple[str, str]:
    """The outcome the manifest claims for ``req_id`` (fail, warn, info) and the one its level gives."""
    req = REQUIREMENTS[req_id]
    level = req.level_at(entry.get("protocol") or req.chosen(LATEST_HANDSHAKE))
    claimed = "info" if entry.get("info") else "warn" if entry.get("strict") else "fail"
    return claimed, {"MUST": "fail", "SHOULD": "warn"}.get(level, "info")


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
def test_manifest_entries_expect_known_ids_at_their_level(path: Path) -> None:
    problems = []
    for entry in yaml.safe_load(path.read_text())["servers"]:
        if not (SERVERS / entry["file"]).is_file():
            problems.append(f"{entry['file']}: no such server")
        for req_id in [*entry.get("expect", []), *entry.get("may_also", [])]:
            if req_id not in REQUIREMENTS:
                problems.append(f"{entry['file']}: unknown requirement {req_id}")
        if "kind" in entry:
            continue  # robustness servers: their own tests say how the engine reports them
        for req_id in entry.get("expect", []):
            claimed, actual = expected_outcome(req_id, entry) if req_id in REQUIREMENTS else ("", "")
            if claimed != actual:
                problems.append(f"{entry['file']}: expects {req_id} as {claimed}, but its level makes it {actual}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
