"""Baselines as pure functions: loading with errors that name the line, matching, the verdict, writing."""

from __future__ import annotations

import pytest

from mcptest.findings import Finding
from mcptest.report.baseline import (
    PLACEHOLDER,
    Baseline,
    BaselineError,
    Entry,
    apply_baseline,
    dump_baseline,
    load_baseline,
    parse_baseline,
)


def finding(check: str, outcome: str, *, level: str = "MUST", item: str = "", version: str = "2025-11-25") -> Finding:
    return Finding(check=check, requirement=check, level=level, outcome=outcome,  # type: ignore[arg-type]
                   item=item, version=version, expected="an error -32601", actual="a result",
                   text="The server MUST ...")


GOOD = """\
mcptest-baseline: 1
expected:
  - check: BASE-10
    version: 2025-03-26          # unquoted: YAML would read a date; it stays the version string
    reason: the SDK answers batches; tracked upstream
  - check: TOOL-05
    item: "search_*"
    reason: >-
      search tools reject
      the empty query
"""


def test_a_good_file_loads_with_lines_and_values() -> None:
    baseline = parse_baseline(GOOD, "mcp-baseline.yaml")
    first, second = baseline.entries
    assert first == Entry("BASE-10", "the SDK answers batches; tracked upstream", None, "2025-03-26", line=3)
    assert second.item == "search_*" and second.reason == "search tools reject the empty query"
    assert baseline.where(second) == "mcp-baseline.yaml:6"
    assert second.label == "TOOL-05[search_*]" and first.label == "BASE-10@2025-03-26"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "<b>: the file is empty; it needs 'mcptest-baseline: 1'"),
        ("- check: BASE-10\n", "<b>:1: the top level must be a mapping"),
        ("mcptest-baseline: 1\nexpected: [\n", "<b>:3: not valid YAML"),
        ("expected: []\n", "<b>:1: 'mcptest-baseline: 1' is missing"),
        ("mcptest-baseline: 2\nexpected: []\n", "<b>:1: 'mcptest-baseline' must be 1, got '2'"),
        ("mcptest-baseline: 1\n", "<b>:1: 'expected:' is missing"),
        ("mcptest-baseline: 1\nexpected: {check: BASE-10}\n", "<b>:2: 'expected' must be a list of entries"),
        ("mcptest-baseline: 1\nexpectd: []\n",
         "<b>:2: the top level: unknown key 'expectd' (valid: mcptest-baseline, expected)"),
        ("mcptest-baseline: 1\nexpected:\n  - BASE-10\n", "<b>:3: entry 1: must be a mapping like '- check: BASE-10'"),
        ("mcptest-baseline: 1\nexpected:\n  - reason: x\n", "<b>:3: entry 1: 'check' is missing"),
        ("mcptest-baseline: 1\nexpected:\n  - check: BASE-99\n    reason: x\n",
         "<b>:3: entry 1 (BASE-99): no check 'BASE-99'"),
        ("mcptest-baseline: 1\nexpected:\n  - check: BASE-10\n",
         "<b>:3: entry 1 (BASE-10): 'reason' is missing or empty"),
        ("mcptest-baseline: 1\nexpected:\n  - check: BASE-10\n    reason: ''\n", "'reason' is missing or empty"),
        ("mcptest-baseline: 1\nexpected:\n  - check: BASE-10\n    reason: ~\n",
         "<b>:4: entry 1: 'reason' must be a string"),
        ("mcptest-baseline: 1\nexpected:\n  - check: BASE-10\n    itme: add\n    reason: x\n",
         "<b>:4: entry 1: unknown key 'itme' (valid: check, item, version, reason)"),
        ("mcptest-baseline: 1\nexpected:\n  - check: BASE-10\n    version: '2025-13-01'\n    reason: x\n",
         "<b>:3: entry 1 (BASE-10): version '2025-13-01' is not a protocol version (valid: 2024-11-05"),
        ("mcptest-baseline: 1\nexpected:\n  - check: BASE-10\n    item: [a, b]\n    reason: x\n",
         "<b>:4: entry 1: 'item' must be a string"),
        ("mcptest-baseline: 1\nexpected:\n  - {check: BASE-10, reason: x}\n  - {check: BASE-10, reason: y}\n",
         "<b>:4: BASE-10 repeats the entry on line 3"),
    ],
)
def test_a_malformed_file_names_the_line_the_entry_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(BaselineError) as caught:
        parse_baseline(text, "<b>")
    assert message in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    text = "mcptest-baseline: 1\nexpected:\n  - check: NOPE-1\n    reason: x\n  - check: BASE-10\n"
    with pytest.raises(BaselineError) as caught:
        parse_baseline(text, "b.yaml")
    assert "b.yaml:3: entry 1 (NOPE-1)" in str(caught.value) and "b.yaml:5: entry 2 (BASE-10)" in str(caught.value)


def test_a_missing_file_says_how_to_make_one(tmp_path) -> None:
    with pytest.raises(BaselineError, match="cannot be read .*mcptest baseline TARGET > mcp-baseline.yaml"):
        load_baseline(tmp_path / "nope.yaml")


def test_an_empty_expected_list_is_allowed() -> None:
    assert parse_baseline("mcptest-baseline: 1\nexpected:\n").entries == ()
    assert parse_baseline("mcptest-baseline: 1\nexpected: []\n").entries == ()


def test_matching_by_check_item_glob_and_version() -> None:
    entry = Entry("TOOL-05", "r", item="search_*", version="2025-06-18")
    assert entry.matches(finding("TOOL-05", "fail", item="search_users", version="2025-06-18"))
    assert not entry.matches(finding("TOOL-05", "fail", item="add", version="2025-06-18"))
    assert not entry.matches(finding("TOOL-05", "fail", item="search_users", version="2025-11-25"))
    assert not entry.matches(finding("TOOL-06", "fail", item="search_users", version="2025-06-18"))
    literal = Entry("RES-01", "r", item="file:///a[1].txt")  # an item name with glob characters matches itself
    assert literal.matches(finding("RES-01", "fail", item="file:///a[1].txt"))


def test_verdict_expected_new_stale_and_unused() -> None:
    baseline = Baseline((Entry("BASE-10", "known", line=3), Entry("BASE-07", "was broken", line=6),
                         Entry("TOOL-05", "slow", item="sleep", line=9)), "b.yaml")
    findings = [finding("BASE-10", "fail"), finding("BASE-07", "pass"), finding("BASE-02", "fail"),
                finding("TOOL-05", "n/a", item="sleep"), finding("LIFE-01", "error")]
    outcome = apply_baseline(findings, baseline, strict=False)
    assert [(f.check, e.line) for f, e in outcome.expected] == [("BASE-10", 3)]
    assert [f.check for f in outcome.new] == ["BASE-02"]  # an error is mcptest's fault: neither new nor expected
    assert [e.check for e in outcome.stale] == ["BASE-07"]
    assert [e.check for e in outcome.unused] == ["TOOL-05"]  # n/a: it did not run, so it is not stale
    assert outcome.failed and outcome.counts() == "1 expected, 1 new, 1 stale"


def test_should_findings_gate_only_under_strict() -> None:
    baseline = Baseline((Entry("BASE-08", "known SHOULD gap"), Entry("HTTP-09", "fixed since")))
    findings = [finding("BASE-08", "warn", level="SHOULD"), finding("PING-01", "warn", level="SHOULD"),
                finding("HTTP-09", "pass", level="SHOULD")]
    relaxed = apply_baseline(findings, baseline, strict=False)
    assert [f.check for f, _ in relaxed.expected] == ["BASE-08"]
    assert relaxed.new == () and relaxed.stale == () and [e.check for e in relaxed.stale_warnings] == ["HTTP-09"]
    assert not relaxed.failed
    strict = apply_baseline(findings, baseline, strict=True)
    assert [f.check for f in strict.new] == ["PING-01"] and [e.check for e in strict.stale] == ["HTTP-09"]
    assert strict.failed


def test_an_entry_matching_any_problem_is_not_stale_even_if_other_items_pass() -> None:
    baseline = Baseline((Entry("TOOL-05", "some tools"),))
    findings = [finding("TOOL-05", "pass", item="add"), finding("TOOL-05", "fail", item="search")]
    outcome = apply_baseline(findings, baseline, strict=False)
    assert outcome.stale == () and len(outcome.expected) == 1 and not outcome.failed


def test_a_written_baseline_loads_back_and_accepts_exactly_the_run() -> None:
    findings = [finding("BASE-10", "fail", version="2025-03-26"), finding("TOOL-05", "fail", item="weird \"name\": x"),
                finding("TOOL-05", "fail", item="weird \"name\": x"),  # one entry per check, item and version
                finding("BASE-08", "warn", level="SHOULD"), finding("BASE-02", "pass"), finding("BASE-03", "n/a")]
    text = dump_baseline(findings, "python my server.py")
    assert text.startswith("# mcptest baseline for: python my server.py\n")
    assert text.count(PLACEHOLDER) == 3 and "# MUST: expected an error -32601; got a result" in text
    baseline = parse_baseline(text)
    assert [(e.check, e.item, e.version) for e in baseline.entries] == [
        ("BASE-08", None, "2025-11-25"), ("BASE-10", None, "2025-03-26"), ("TOOL-05", 'weird "name": x', "2025-11-25")]
    outcome = apply_baseline(findings, baseline, strict=True)
    assert len(outcome.expected) == 4 and not outcome.failed


def test_a_clean_run_writes_an_empty_baseline_that_loads() -> None:
    text = dump_baseline([finding("BASE-02", "pass")])
    assert parse_baseline(text).entries == ()
