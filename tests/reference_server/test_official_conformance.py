"""The official ``@modelcontextprotocol/conformance`` suite (``--suite all``) against one reference server
(``--env conformance``, streamable HTTP) shared by the module: 0.1.16, and 0.2.0-alpha.12 at
``--spec-version 2025-11-25``, at ``--spec-version 2026-07-28`` and without one (every scenario at its own version,
the tasks-extension ones included). Every check passes; a minimum count of passed checks per run notices a scenario
that silently drops out.

Needs Node 22 and both suites (``eval "$(bash .ci/node.sh)"`` sets ``MCPTEST_NODE``, ``MCPTEST_CONFORMANCE`` and
``MCPTEST_CONFORMANCE_ALPHA``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _modern import http_server

from tests.conftest import need_service

SUITE_TIMEOUT = 300.0
# SEP-1699 (server-sse-polling) in 0.1.16: its raw request carries `mcp-protocol-version: 2025-03-26`, and priming
# events and the retry field exist only from 2025-11-25 on, so the Python SDK rightly sends neither there. These two
# SHOULD-level checks are WARNINGs for every server on this SDK; 0.2.0 sends the negotiated version and they pass.
EXPECTED_WARNINGS = {
    ("server-sse-polling", "server-sse-priming-event"),
    ("server-sse-polling", "server-sse-retry-field"),
}
# Scenarios the suite itself skips: the skills extension (SEP-2640), which this server does not declare, and the
# tasks status-notification scenario, pending a rewrite upstream.
SKIPPING_SCENARIOS = re.compile(r"^(sep-2640-skills-.*|tasks-status-notifications)$")


@dataclass(frozen=True)
class Run:
    """One run of the suite: which package, which arguments, and what it must at least pass."""

    package: str  # the environment variable naming its dist/index.js
    args: tuple[str, ...]
    scenarios: int
    min_passed: int


RUNS = {
    "0.1.16": Run("MCPTEST_CONFORMANCE", (), 32, 44),
    "alpha-2025-11-25": Run("MCPTEST_CONFORMANCE_ALPHA", ("--spec-version", "2025-11-25"), 33, 84),
    "alpha-2026-07-28": Run("MCPTEST_CONFORMANCE_ALPHA", ("--spec-version", "2026-07-28"), 40, 152),
    "alpha-every-scenario": Run("MCPTEST_CONFORMANCE_ALPHA", (), 65, 234),
}


@dataclass(frozen=True)
class Check:
    """One check of one scenario, as the suite wrote it to ``<scenario>-<timestamp>/checks.json``."""

    scenario: str
    id: str
    status: str
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.scenario}/{self.id}: {self.message}"


def read_checks(results: Path) -> list[Check]:
    """Every check in the suite's ``-o`` folder."""
    checks = []
    for path in sorted(results.glob("*/checks.json")):
        scenario = re.sub(r"^server-|-\d{4}-\d{2}-\d{2}T[\d-]+Z$", "", path.parent.name)
        for item in json.loads(path.read_text(encoding="utf-8")):
            message = item.get("errorMessage") or item.get("description") or ""
            checks.append(Check(scenario, item["id"], item["status"], message))
    return checks


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """``python -m reference_server --transport http --env conformance``: one process for every run."""
    with http_server("--env", "conformance") as url:
        yield url


@pytest.mark.parametrize("name", list(RUNS))
def test_every_official_conformance_check_passes(name: str, server_url: str, tmp_path: Path) -> None:
    run = RUNS[name]
    node, suite = os.environ.get("MCPTEST_NODE"), os.environ.get(run.package)
    need_service(bool(node and suite), f'Node 22 and {run.package} (eval "$(bash .ci/node.sh)")')
    results = tmp_path / "results"
    command = [str(node), str(suite), "server", "--url", server_url, "--suite", "all", *run.args, "-o", str(results)]
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=SUITE_TIMEOUT, stdin=subprocess.DEVNULL, check=False
    )
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    summary = re.search(r"^Total: (\d+) passed, (\d+) failed", output, re.MULTILINE)
    assert summary, f"unexpected output from the suite (exit code {done.returncode}):\n{output[-3000:]}"
    checks = read_checks(results)
    failures = [str(c) for c in checks if c.status == "FAILURE"]
    warnings = [str(c) for c in checks if c.status == "WARNING" and (c.scenario, c.id) not in EXPECTED_WARNINGS]
    skipped = [str(c) for c in checks if c.status == "SKIPPED" and not SKIPPING_SCENARIOS.match(c.scenario)]
    assert failures == warnings == skipped == [], "\n".join(["official conformance problems:", *failures, *warnings])
    passed = sum(c.status == "SUCCESS" for c in checks)
    scenarios = len({c.scenario for c in checks})
    assert int(summary[2]) == 0 and int(summary[1]) == passed, output[-2000:]
    assert scenarios == run.scenarios and passed >= run.min_passed, (scenarios, passed)
    assert done.returncode == 0, output[-3000:]
    print(
        f"measured: official conformance {name}: {scenarios} scenarios, {passed} checks passed, 0 failed, "
        f"{sum(c.status == 'WARNING' for c in checks)} expected warnings, {seconds:.1f} s"
    )
