"""Baselines as a CI gate meets them: expected failures pass the run, new ones and stale entries fail it."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import stdio_target

# base04 answers a notification (BASE-04, MUST at 2025-11-25); BASE-02 passes on it.
BASE04 = stdio_target("base04_answers_notifications.py")
ONLY = ("-k", "BASE-04 or BASE-02", "-p", "no:cacheprovider", "-rxX")


def _baseline(pytester: pytest.Pytester, *checks: str) -> str:
    entries = "".join(f"  - check: {check}\n    reason: known since 0.1\n" for check in checks)
    pytester.makefile(".yaml", **{"mcp-baseline": "mcptest-baseline: 1\nexpected:\n" + entries})
    return "--mcp-baseline=mcp-baseline.yaml"


def test_without_a_baseline_the_known_failure_fails_the_run(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server=" + BASE04, *ONLY)
    result.assert_outcomes(passed=1, failed=1)


def test_a_listed_failure_is_expected_and_the_run_passes(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server=" + BASE04, _baseline(pytester, "BASE-04", "BASE-10"), *ONLY,
                                "--junitxml=junit.xml")
    result.assert_outcomes(passed=1, xfailed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "baseline mcp-baseline.yaml: 1 expected, 0 new, 0 stale",
        "  expected BASE-04@2025-11-25 (mcp-baseline.yaml:3): known since 0.1",
        "  unused BASE-10 (mcp-baseline.yaml:5): nothing it lists ran in this run",
        "XFAIL test_jsonrpc.py::test_jsonrpc[[]BASE-04@2025-11-25[]] - expected by baseline mcp-baseline.yaml:3: "
        "known since 0.1",
    ])
    cases = {case.get("name"): case for case in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")}
    props = {p.get("name"): p.get("value") for p in cases["test_jsonrpc[BASE-04@2025-11-25]"].iter("property")}
    assert props["mcp_requirement"] == "BASE-04" and props["mcp_level"] == "MUST"
    assert props["mcp_version"] == "2025-11-25" and props["mcp_outcome"] == "fail"
    assert props["mcp_spec"].startswith("https://modelcontextprotocol.io/specification/2025-11-25/")
    assert props["mcp_baseline"] == "expected (mcp-baseline.yaml:3)"
    passing = {p.get("name"): p.get("value") for p in cases["test_jsonrpc[BASE-02@2025-11-25]"].iter("property")}
    assert passing["mcp_requirement"] == "BASE-02" and passing["mcp_outcome"] == "pass"


def test_a_listed_check_that_now_passes_is_a_stale_entry_that_fails_the_run(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server=" + BASE04, _baseline(pytester, "BASE-04", "BASE-02"), *ONLY)
    result.assert_outcomes(passed=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "baseline mcp-baseline.yaml: 1 expected, 0 new, 1 stale",
        "  stale baseline entry: remove BASE-02 (mcp-baseline.yaml:5): its check ran and passed",
    ])


def test_a_new_failure_beside_an_expected_one_fails_the_run(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server=" + BASE04, _baseline(pytester, "BASE-10"), *ONLY)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["baseline mcp-baseline.yaml: 0 expected, 1 new, 0 stale",
                                 "  new BASE-04@2025-11-25: expected *"])


def test_a_malformed_baseline_stops_the_run_before_anything_starts(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", **{"mcp-baseline": "mcptest-baseline: 1\nexpected:\n  - check: BASE-04\n"})
    result = pytester.runpytest("--mcp-server=" + BASE04, "--mcp-baseline=mcp-baseline.yaml", *ONLY)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*malformed baseline:*",
                                 "*mcp-baseline.yaml:3: entry 1 (BASE-04): 'reason' is missing or empty*"])


@pytest.mark.parametrize(("strict", "listed", "outcomes", "ret"), [
    (False, False, {"passed": 1}, 0),   # a SHOULD finding warns; nothing to gate
    (True, False, {"failed": 1}, 1),    # strict: a new SHOULD finding fails
    (True, True, {"xfailed": 1}, 0),    # strict: a listed SHOULD finding is expected
])
def test_should_findings_are_gated_under_strict(pytester: pytest.Pytester, strict: bool, listed: bool,
                                                outcomes: dict[str, int], ret: int) -> None:
    args = ["--mcp-server=" + stdio_target("base08_completion_without_ref.py"), "-k", "BASE-08",
            "-p", "no:cacheprovider"]
    args += ["--mcp-strict"] if strict else []
    args += [_baseline(pytester, "BASE-08")] if listed else []
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes, warnings=0 if strict else 1)
    assert result.ret == ret


def test_mcptest_baseline_writes_a_file_that_mcptest_check_accepts(pytester: pytest.Pytester) -> None:
    written = subprocess.run([sys.executable, "-m", "mcptest.cli", "baseline", BASE04, "--timeout", "10"],
                             capture_output=True, text=True, timeout=600, cwd=pytester.path)
    assert written.returncode == 0, written.stderr
    assert "  - check: BASE-04\n" in written.stdout and "reason: \"TODO:" in written.stdout
    assert "finding(s) of" in written.stderr
    (pytester.path / "mcp-baseline.yaml").write_text(written.stdout, encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "mcptest.cli", "check", BASE04, "--baseline", "mcp-baseline.yaml",
                            "-k", "BASE-04 or BASE-02"], capture_output=True, text=True, timeout=600, cwd=pytester.path)
    assert check.returncode == 0, check.stdout[-3000:]
    assert "baseline mcp-baseline.yaml: 1 expected, 0 new, 0 stale" in check.stdout
