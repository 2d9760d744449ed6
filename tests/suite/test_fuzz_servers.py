"""Fuzzing finds input-dependent bugs, shrinks them, and prints a reproducer that really reproduces them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from mcptest.runner import run_all
from mcptest.schedule import Scheduler
from mcptest.settings import Settings
from mcptest.spec.requirements import requirement
from tests.conftest import ROOT, SERVERS, stdio_target

FUZZ_SERVERS = ROOT / "fixtures" / "fuzz_servers"
MANIFEST = yaml.safe_load((FUZZ_SERVERS / "manifest.yaml").read_text())["servers"]
SEED = 20261124


def _fuzz(target: str, **overrides: Any):
    overrides.setdefault("timeout", 5.0)  # what a hang costs; SDK servers get more time to start on a busy machine
    result = run_all(Settings(server=target, seed=SEED, **overrides), areas=("fuzz",))
    result.close()
    return result


def _minimal(message: str) -> dict[str, Any]:
    line = next(line for line in message.splitlines() if line.strip().startswith("minimal input"))
    return json.loads(line.split(":", 1)[1])


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"].removesuffix(".py") for e in MANIFEST])
def test_fuzzing_finds_and_shrinks_the_bug(entry: dict[str, Any]) -> None:
    target = f"{sys.executable} {FUZZ_SERVERS / entry['file']}"
    # every shrink step of a hang waits out the timeout: these raw servers answer in milliseconds, so 2 s is ample
    result = _fuzz(target, timeout=2.0) if entry["kind"] == "hang" else _fuzz(target)
    check = "FUZZ-01" if entry["mode"] == "valid" else "FUZZ-02"
    failures = [f for f in result.findings if f.outcome in ("fail", "warn")]
    found = [(f.check, f.requirement, f.item) for f in failures]
    assert found == [(check, entry["requirement"], entry["tool"])], [f.message for f in failures]
    level = requirement(entry["requirement"]).level_at(failures[0].version)
    assert failures[0].outcome == ("fail" if level == "MUST" else "warn")
    message = failures[0].message
    assert f"got:      {entry['kind']}:" in message
    if entry["kind"] in ("crash", "hang"):  # evidence another check could cause: confirmed alone before reported
        assert "confirmed alone" in failures[0].extra["note"]
    if "minimal" in entry and entry["kind"] == "hang":
        # each shrink candidate of a hang costs the hang bound, so how far shrinking gets within its time allowance
        # depends on the machine's load: the shape is pinned, the exact minimum only for the other kinds
        assert _minimal(message).keys() == entry["minimal"].keys()
    elif "minimal" in entry:
        assert _minimal(message) == entry["minimal"]
    assert f"mcptest call '{target}' --protocol {failures[0].version} {entry['tool']} '" in message
    assert f"def test_{entry['tool']}_" in message and "mcp_session.call_tool(" in message


def test_a_crash_that_the_re_run_alone_does_not_show_is_searched_anew_and_not_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-run alone first replays the shrunk input; when the server answers it now (the crash came from the
    first run's circumstances, here a marker file removed before the re-runs), it searches again and reports that."""
    marker = tmp_path / "crash"
    marker.write_text("")
    server = tmp_path / "crashes_while_marked.py"
    server.write_text(textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        sys.path.insert(0, {str(FUZZ_SERVERS)!r})
        from _base import CleanServer, main

        class Server(CleanServer):
            def tool_add(self, ex, args):
                if not Path({str(marker)!r}).exists():
                    with open({str(tmp_path / "calls_alone")!r}, "a") as calls:
                        calls.write("add\\n")
                elif args["a"] > 1000:
                    os._exit(3)
                return super().tool_add(ex, args)

        main(Server)
    """))
    rerun = Scheduler._confirm_all

    def unmarked_then_rerun(self: Scheduler, *args: Any, **kwargs: Any) -> None:
        marker.unlink(missing_ok=True)
        rerun(self, *args, **kwargs)

    monkeypatch.setattr(Scheduler, "_confirm_all", unmarked_then_rerun)
    result = _fuzz(f"{sys.executable} {server}", tools=("add",), protocol="2025-11-25")
    valid = [f for f in result.findings if f.check == "FUZZ-01" and f.item == "add"]
    assert [f.outcome for f in valid] == ["pass"], [f.render() for f in result.findings]
    assert "run alone, it did not happen again" in valid[0].extra["note"]
    assert len((tmp_path / "calls_alone").read_text().splitlines()) >= 20  # a new search of 25 examples, alone


def test_the_reproducer_line_shows_the_bug_by_hand() -> None:
    target = f"{sys.executable} {FUZZ_SERVERS / 'crash_on_non_ascii.py'}"
    result = _fuzz(target)
    message = next(f.message for f in result.findings if f.outcome in ("fail", "warn"))
    arguments = json.dumps(_minimal(message))
    done = subprocess.run([sys.executable, "-m", "mcptest.cli", "call", target, "echo", arguments],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "exited with code 1" in done.stderr and "UnicodeEncodeError" in done.stderr


@pytest.mark.parametrize("server", ["clean_raw.py", "clean_sdk.py"])
def test_clean_servers_survive_fuzzing(server: str) -> None:
    result = _fuzz(stdio_target(server), timeout=15.0)
    assert result.error is None
    assert not [f.message for f in result.findings if f.outcome in ("fail", "warn")]
    assert sum(f.outcome == "pass" for f in result.findings) >= 4


def test_unsafe_tools_are_not_fuzzed_unless_asked(tmp_path: Path) -> None:
    result = _fuzz(stdio_target("clean_raw.py"), tools=("echo",))
    skipped = {f.item: f.message for f in result.findings if f.outcome == "n/a"}
    assert "add" in skipped and "not selected by --mcp-tools" in skipped["add"]
    assert {f.item for f in result.findings if f.outcome == "pass"} == {"echo"}


def test_fuzzing_can_be_turned_off() -> None:
    result = _fuzz(stdio_target("clean_raw.py"), fuzz_examples=0)
    assert {f.outcome for f in result.findings} == {"n/a"}
    assert all("fuzzing is off" in f.message for f in result.findings)


STATE_MANIFEST = yaml.safe_load((SERVERS / "manifest_state.yaml").read_text())["servers"]


@pytest.mark.parametrize("entry", STATE_MANIFEST,
                         ids=[f"{e['file'].removesuffix('.py')}-{e['transport']}" for e in STATE_MANIFEST])
def test_the_printed_regression_test_reproduces_each_stateful_defect(
    entry: dict[str, Any], pytester: pytest.Pytester
) -> None:
    """The fixture-server matrix shows each defect is caught at its id (test_fixture_servers.py); here the minimal
    sequence's printed test is pasted into a test file and run as a user would: it fails, on the defect."""
    server = stdio_target(entry["file"])
    protocol = {"protocol": entry["protocol"]} if "protocol" in entry else {}
    result = run_all(Settings(server=server, seed=SEED, stateful=True, fuzz_all=entry.get("fuzz_all", False),
                              **protocol), areas=("stateful",))
    result.close()
    assert result.error is None, result.error
    flagged = [f for f in result.findings if f.outcome in ("fail", "warn")]
    assert [f.requirement for f in flagged] == entry["expect"], [f.message for f in result.findings]
    message = flagged[0].message
    assert "minimal sequence (3 steps" in message, message
    printed = message[message.index("    def test_stateful_sequence(mcp_session):"):].split("\n  version:")[0]
    pytester.makepyfile(test_pasted=textwrap.dedent(printed))
    pasted = pytester.runpytest_subprocess(f"--mcp-server={server}", "test_pasted.py", "-p", "no:cacheprovider")
    pasted.assert_outcomes(failed=1)
    for broken_test in ("NameError", "StopIteration", "AttributeError", "SyntaxError", "fixture '*' not found"):
        pasted.stdout.no_fnmatch_line(f"*{broken_test}*")  # it fails on the defect, not on a bug of its own


def test_stateful_checks_are_off_unless_asked() -> None:
    result = _fuzz(stdio_target("state01_delete_corrupts_listing.py"))
    assert not [f for f in result.findings if f.check.startswith("STATE-")]  # the fuzz area alone
    result = run_all(Settings(server=stdio_target("clean_raw.py")), areas=("stateful",))
    result.close()
    assert {(f.outcome, f.reason) for f in result.findings} == {("n/a", "off: --mcp-stateful turns it on")}


def test_the_mcp_stateful_fixture_fails_with_the_printed_sequence_and_honours_its_marker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_sequences="""
        import pytest

        @pytest.mark.mcp_stateful(steps=8, budget=60, unsafe=True, seed=1)
        def test_records(mcp_stateful):
            mcp_stateful()

        @pytest.mark.mcp_stateful(budget=2, tools=["create_record", "get_record"])
        def test_safe_tools_only(mcp_stateful):
            result = mcp_stateful(steps=4)
            assert result.failure is None and set(result.tools) == {"create_record", "get_record"}
            assert result.sequences >= 1

        def test_bad_option(mcp_stateful):
            mcp_stateful(step=3)
        """
    )
    ran = pytester.runpytest_subprocess(f"--mcp-server={stdio_target('state01_delete_corrupts_listing.py')}",
                                        "test_sequences.py", "-p", "no:cacheprovider")
    ran.assert_outcomes(passed=1, failed=2)
    ran.stdout.fnmatch_lines(["*[[]STATE-01[]] a sequence of tool calls broke an invariant: crash:*",
                              "*minimal sequence (3 steps*", "*def test_stateful_sequence(mcp_session):*",
                              "*unknown option(s) [[]'step'[]]*"])


def test_a_budget_that_cuts_the_search_short_is_noted_on_the_passing_finding() -> None:
    result = _fuzz(stdio_target("clean_raw.py"), tools=("echo",), fuzz_budget=0.5, fuzz_examples=5000)
    passed = [f for f in result.findings if f.outcome == "pass"]
    assert {f.check for f in passed} == {"FUZZ-01", "FUZZ-02"}, [f.render() for f in result.findings]
    for found in passed:
        note = found.extra["note"]
        ran = int(note.split(" of 5000 examples within the 0.5 s budget")[0])
        assert 0 < ran < 5000 and found.render() == note


def test_versions_checked_share_the_budget_as_they_share_the_examples() -> None:
    """A dual-era server is fuzzed at both versions, each with half the examples and half the seconds: the budget
    is per tool and property, not per version (a slow tool otherwise cost twice the budget, once per version)."""
    result = _fuzz(stdio_target("clean_dual.py"), tools=("echo",), fuzz_budget=0.5, fuzz_examples=5000)
    assert result.versions == ["2025-11-25", "2026-07-28"]
    notes = {(f.check, f.version): f.extra.get("note", "") for f in result.findings if f.item == "echo"}
    assert len(notes) == 4 and all(" of 2500 examples within the 0.25 s budget" in n for n in notes.values()), notes


def test_a_schema_with_endless_invalid_inputs_is_never_called_exhausted() -> None:
    """echo forbids other properties, so there is no end of invalid inputs, but every Hypothesis run starts with
    cases that repeat the previous run's: those must not end the search as if the schema had run dry."""
    result = _fuzz(stdio_target("clean_raw.py"), tools=("echo",), fuzz_examples=150, protocol="2025-11-25")
    invalid = [f for f in result.findings if f.check == "FUZZ-02" and f.item == "echo"]
    assert [f.outcome for f in invalid] == ["pass"], [f.render() for f in result.findings]
    assert "note" not in invalid[0].extra, invalid[0].extra["note"]  # a note says why fewer than 150 ran


def test_a_schema_with_few_inputs_is_exhausted_and_the_finding_says_how_many_there_were() -> None:
    """get_note takes one of two names: the search judges both, sees nothing new after that, and stops well short of
    the examples asked for, saying why (it does not draw on until the budget)."""
    result = _fuzz(stdio_target("clean_raw.py"), tools=("get_note",), fuzz_examples=25, protocol="2025-11-25")
    valid = [f for f in result.findings if f.check == "FUZZ-01" and f.item == "get_note"]
    assert [f.outcome for f in valid] == ["pass"], [f.render() for f in result.findings]
    assert valid[0].extra["note"].startswith("2 examples in ")
    assert valid[0].extra["note"].endswith("(of 25: the schema allows no more distinct inputs that Hypothesis found)")


def test_a_server_that_fuzzing_crashed_is_counted_as_restarted() -> None:
    """The summary's "the server died and was restarted N time(s)" counts the crashes fuzzing caused too (the fuzz
    call lets the dead connection go itself; the next call's new server is the restart)."""
    result = _fuzz(stdio_target("robust_crash_on_tool_call.py"), tools=("echo",), protocol="2025-11-25")
    assert any(f.check == "FUZZ-01" and f.outcome in ("fail", "warn") for f in result.findings)
    assert result.restarts >= 1
