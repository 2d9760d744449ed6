"""The mcptest command as a CI job or a learner runs it: exit codes, output, report files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mcptest.spec.requirements import REQUIREMENTS
from tests.conftest import stdio_target

CLEAN = stdio_target("clean_raw.py")


def mcptest(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mcptest.cli", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def test_call_prints_the_raw_result_and_exits_0() -> None:
    done = mcptest("call", CLEAN, "add", '{"a": 2, "b": 3}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"]["structuredContent"] == {"sum": 5}


def test_call_exits_1_on_a_tool_error_and_on_a_protocol_error() -> None:
    assert mcptest("call", CLEAN, "divide", '{"dividend": 1, "divisor": 0}').returncode == 1
    unknown = mcptest("call", CLEAN, "no_such_tool")
    assert unknown.returncode == 1 and json.loads(unknown.stdout)["error"]["code"] == -32602


def test_call_rejects_arguments_that_are_not_a_json_object() -> None:
    done = mcptest("call", CLEAN, "add", "[1, 2]")
    assert done.returncode == 4
    assert "arguments must be a JSON object, got list" in done.stderr


def test_list_shows_the_surface() -> None:
    done = mcptest("list", CLEAN)
    assert done.returncode == 0
    assert "tools (5):" in done.stdout and "  slow_count" in done.stdout and "templates (1):" in done.stdout


def test_checks_lists_every_check_with_its_sentence_level_and_url() -> None:
    from mcptest.checks import CHECKS

    done = mcptest("checks")
    assert done.returncode == 0
    listed = {line.split()[0] for line in done.stdout.splitlines() if line and not line.startswith(" ")}
    assert listed == {check.id for check in CHECKS}
    assert '"The server MUST NOT write anything to its `stdout` that is not a valid MCP message."' in done.stdout
    assert "https://modelcontextprotocol.io/specification/" in done.stdout
    assert set(REQUIREMENTS) >= listed


def test_check_is_a_ci_gate_with_json_and_junit(tmp_path: Path) -> None:
    good = mcptest("check", CLEAN, "--strict", "--json", str(tmp_path / "good.json"),
                   "--junit", str(tmp_path / "junit.xml"), "-k", "BASE or LIFE")
    assert good.returncode == 0, good.stdout[-2000:]
    assert json.loads((tmp_path / "good.json").read_text())["counts"].get("fail", 0) == 0
    assert "<testsuite" in (tmp_path / "junit.xml").read_text()
    lenient = mcptest("check", stdio_target("base07_unknown_method_result.py"), "-k", "BASE-07")
    assert lenient.returncode == 0 and "SHOULD-level findings" in lenient.stdout  # JSON-RPC's word: at most SHOULD
    bad = mcptest("check", stdio_target("base07_unknown_method_result.py"), "-k", "BASE-07", "--strict")
    assert bad.returncode == 1
    assert "[BASE-07] SHOULD" in bad.stdout


def test_unreachable_server_is_one_line_not_a_traceback() -> None:
    done = mcptest("list", "http://127.0.0.1:9/mcp")
    assert done.returncode == 4
    assert done.stderr.startswith("mcptest: error: cannot connect to http://127.0.0.1:9/mcp")
    assert "Traceback" not in done.stderr


def test_check_loads_only_its_own_plugin_and_xdist_or_p_name_on_request() -> None:
    parallel = mcptest("check", CLEAN, "-k", "BASE-01", "-n", "2")
    assert parallel.returncode == 0, parallel.stdout[-2000:]
    assert "bringing up nodes" in parallel.stdout and "1 passed" in parallel.stdout
    # another installed plugin's option is unknown until -p NAME loads that plugin (--help says so)
    alone = mcptest("check", CLEAN, "-k", "BASE-01", "--hypothesis-show-statistics")
    assert alone.returncode == 4 and "unrecognized arguments: --hypothesis-show-statistics" in alone.stderr
    loaded = mcptest("check", CLEAN, "-k", "BASE-01", "-p", "hypothesispytest", "--hypothesis-show-statistics")
    assert loaded.returncode == 0, loaded.stdout[-2000:]
    assert "add -p NAME" in " ".join(mcptest("--help").stdout.split())
