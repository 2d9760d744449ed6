"""One real `mcptest check` run whose report files (JSON, HTML, SARIF, JUnit) the report tests share."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import stdio_target

# base07 answers an unknown method with a result: BASE-07, a SHOULD at 2025-11-25, so a warning in this default
# (not strict) run. The baseline accepts BASE-07 and lists BASE-02 (a MUST), which passes: a stale entry.
BASELINE = """\
mcptest-baseline: 1
expected:
  - check: BASE-07
    reason: the server answers unknown methods; tracked in issue 7
  - check: BASE-02
    reason: fixed since, but still listed
"""


@dataclass(frozen=True)
class ReportRun:
    """The files one run wrote, and how it ended."""

    directory: Path
    returncode: int
    stdout: str

    @property
    def json(self) -> dict:
        return json.loads((self.directory / "report.json").read_text(encoding="utf-8"))

    @property
    def sarif(self) -> dict:
        return json.loads((self.directory / "report.sarif").read_text(encoding="utf-8"))

    @property
    def html(self) -> Path:
        return self.directory / "report.html"


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    """``mcptest check`` against a defective stdio server, writing every report kind, with a baseline."""
    directory = tmp_path_factory.mktemp("report-run")
    (directory / "mcp-baseline.yaml").write_text(BASELINE, encoding="utf-8")
    command = [sys.executable, "-m", "mcptest.cli", "check", stdio_target("base07_unknown_method_result.py"),
               "--json", "report.json", "--html", "report.html", "--sarif", "report.sarif", "--junit", "junit.xml",
               "--baseline", "mcp-baseline.yaml", "--mcp-fuzz-examples=3"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=directory)
    assert (directory / "report.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return ReportRun(directory, done.returncode, done.stdout)
