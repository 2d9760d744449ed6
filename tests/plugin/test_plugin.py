"""The pytest plugin as users meet it: options, precedence, usage errors, collection, failure text."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import stdio_target

CLEAN = stdio_target("clean_raw.py")


def test_help_lists_every_option_and_ini_key(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    for flag in ("--mcp-server=TARGET", "--mcp-timeout=SECONDS", "--mcp-strict", "--mcp-header=HEADER",
                 "--mcp-launch=CMD"):
        assert flag in text
    for ini in ("mcp_server", "mcp_timeout", "mcp_strict"):
        assert ini in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mcp-timeout", "soon"], "--mcp-timeout: 'soon' is not a number"),
        (["--mcp-timeout", "0"], "--mcp-timeout: must be greater than 0"),
        (["--mcp-protocol", "2030-01-01"], "choose from auto, all, 2024-11-05, 2025-03-26"),
        (["--mcp-fuzz-examples", "-3"], "must be 0 or more"),
    ],
)
def test_bad_values_are_usage_errors_that_say_what_is_valid(pytester: pytest.Pytester, args: list[str],
                                                            message: str) -> None:
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_strict = maybe\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "mcp_strict: 'maybe' is not a boolean" in result.stderr.str()


def _header_timeout(result: pytest.RunResult) -> str:
    line = next(line for line in result.stdout.lines if line.startswith("mcptest: timeout="))
    return line.split(",")[0].split("=")[1]


def test_precedence_cli_over_ini_over_env(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    monkeypatch.setenv("MCPTEST_TIMEOUT", "9")
    assert _header_timeout(pytester.runpytest()) == "9s"
    pytester.makeini("[pytest]\nmcp_timeout = 7\n")
    assert _header_timeout(pytester.runpytest()) == "7s"
    assert _header_timeout(pytester.runpytest("--mcp-timeout", "3")) == "3s"


def test_no_server_runs_nothing_of_the_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "mcptest: server=(none)" in result.stdout.str()


def test_server_without_paths_runs_the_builtin_suite(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server", CLEAN, "-k", "TOOL-01 or PING-01 or LIFE-01")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 6 and "failed" not in outcomes
    assert "MCP conformance summary" in result.stdout.str()


def test_each_tool_is_its_own_test_id(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server", CLEAN, "--collect-only", "-q")
    ids = result.stdout.str()
    for tool in ("echo", "add", "divide", "slow_count", "get_note"):
        assert f"test_tools[TOOL-05:{tool}@2025-11-25]" in ids
    assert "test_resources[RES-02:note://readme@2025-11-25]" in ids
    assert "test_http[HTTP-01@2025-11-25]" in ids  # a check of another transport is planned too, as n/a


def test_explicit_paths_run_only_the_users_tests_with_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mine="""
        def test_ping(mcp_wire):
            assert mcp_wire.request("ping").result == {}
        """
    )
    result = pytester.runpytest("--mcp-server", CLEAN, "test_mine.py")
    result.assert_outcomes(passed=1)


def test_suite_is_collected_even_when_python_files_would_not_match(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\npython_files = check_*.py\n")
    result = pytester.runpytest("--mcp-server", CLEAN, "-k", "PING-01")
    result.assert_outcomes(passed=1)


def test_must_failure_names_requirement_expected_got_spec_and_reproducer(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server", stdio_target("stdio01_banner_on_stdout.py"), "-k", "STDIO-01")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*[[]STDIO-01[]] MUST: The server MUST NOT write anything to its `stdout`*",
            "*expected: only JSON-RPC messages on stdout",
            "*got:      * other line(s)*, first:*",
            "*spec:     https://modelcontextprotocol.io/specification/2025-11-25/basic/transports*",
            "*reproduce: pytest --mcp-server=* --mcp-protocol=2025-11-25 -k 'STDIO-01 and 2025-11-25'",
        ]
    )


def test_should_finding_warns_by_default_and_fails_when_strict(pytester: pytest.Pytester) -> None:
    target = stdio_target("base05_drops_malformed_json.py")
    default = pytester.runpytest("--mcp-server", target, "-k", "BASE-05")
    default.assert_outcomes(passed=1, warnings=1)
    default.stdout.fnmatch_lines(["*SHOULD-level findings*", "*BASE-05@2025-11-25: expected an error response -32700*"])
    strict = pytester.runpytest("--mcp-server", target, "-k", "BASE-05", "--mcp-strict")
    strict.assert_outcomes(failed=1)
    assert "[BASE-05] SHOULD" in strict.stdout.str()


def test_not_applicable_checks_are_skipped_with_the_reason(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server", stdio_target("clean_raw_tools_only.py"), "-k", "PROMPT-03", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*[[]PROMPT-03[]] n/a: the server does not declare the 'prompts' capability*"])


def test_json_report_lists_every_finding(pytester: pytest.Pytester) -> None:
    report = pytester.path / "report.json"
    result = pytester.runpytest("--mcp-server", CLEAN, "-k", "BASE", "--mcp-report-json", str(report))
    assert result.ret == 0
    doc = json.loads(report.read_text())
    assert doc["server"]["name"] == "clean-raw"
    assert {f["requirement"] for f in doc["findings"]} >= {"BASE-01", "BASE-02", "BASE-07"}
    assert all(f["outcome"] in ("pass", "n/a") for f in doc["findings"])


def test_unreachable_url_fails_fast_with_one_line(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mcp-server", "http://127.0.0.1:9/mcp")
    result.assert_outcomes(failed=1, skipped=result.parseoutcomes().get("skipped", 0))
    result.stdout.fnmatch_lines(["*cannot connect to http://127.0.0.1:9/mcp: connection refused*--mcp-launch*"])


def test_server_from_ini_runs_the_projects_own_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini(f"[pytest]\nmcp_server = {CLEAN}\n")
    pytester.makepyfile(test_own="def test_own(mcp_wire):\n    assert mcp_wire.request('ping').ok\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_mcp_suite_adds_the_builtin_suite_to_given_paths(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own():\n    pass\n")
    result = pytester.runpytest("--mcp-server", CLEAN, "--mcp-suite", "test_own.py", "-k", "own or PING-01")
    result.assert_outcomes(passed=2)


def test_xdist_workers_share_one_summary_and_report_with_the_serial_verdicts(pytester: pytest.Pytester) -> None:
    target = stdio_target("base05_drops_malformed_json.py")
    verdicts = {}
    for mode in (["-n", "2"], []):
        report = pytester.path / f"report{len(mode)}.json"
        result = pytester.runpytest_subprocess(f"--mcp-server={target}", *mode, "--mcp-report-json", str(report),
                                               "-k", "BASE or PING", "--mcp-fuzz-examples=0", "-v")
        assert result.ret == 0 and result.parseoutcomes()["warnings"] == 1
        if mode:  # each protocol version's tests ran on one worker (its connections and observers are per version)
            ran = re.findall(r"\[(gw\d)\] \S+ .*@(\d{4}-\d\d-\d\d)\]", result.stdout.str())
            workers = {version: {w for w, v in ran if v == version} for _, version in ran}
            assert len(workers) >= 2 and all(len(w) == 1 for w in workers.values()), workers
        result.stdout.fnmatch_lines(["*MCP conformance summary*",
                                     "*BASE-05@2025-11-25: expected an error response -32700*"])
        findings = json.loads(report.read_text())["findings"]
        assert {f["requirement"] for f in findings} >= {"BASE-01", "BASE-05", "BASE-09", "PING-01"}
        keys = [(f["check"], f["item"], f["version"]) for f in findings]
        assert len(keys) == len(set(keys))  # each case once, from one worker
        verdicts[bool(mode)] = {key: f["outcome"] for key, f in zip(keys, findings)}
    assert verdicts[True] == verdicts[False]
