"""The HTML report of a real run, opened in headless Chromium: summary on top, findings grouped by area and
version, outcome filters that work when clicked, details with pretty JSON and spec links, no sideways scroll."""

from __future__ import annotations

import pytest

from mcptest.findings import Finding
from mcptest.report.baseline import Baseline, Entry
from mcptest.report.html import pretty, render_html
from mcptest.report.model import RunReport
from tests.conftest import need_service
from tests.report import webdriver

VISIBLE = """
return Array.from(document.querySelectorAll('details.finding'))
  .filter(function(el){ return el.offsetParent !== null; })
  .map(function(el){ return el.dataset.outcome; });
"""
OVERFLOW = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];"


@pytest.fixture
def browser() -> webdriver.Browser:
    need_service(webdriver.available(), "Debian chromium and chromedriver (apt-get install chromium chromium-driver)")
    browser = webdriver.Browser(width=1000, height=900)
    yield browser
    browser.close()


def test_the_run_and_its_json_agree_with_the_baseline(report_run) -> None:
    assert report_run.returncode == 1  # BASE-02 is listed but passes: a stale entry fails the run
    assert "stale baseline entry: remove BASE-02" in report_run.stdout
    assert report_run.json["baseline"]["stale"] == ["BASE-02"]
    assert [e["finding"] for e in report_run.json["baseline"]["expected"]] == ["BASE-07@2025-11-25"]


def test_summary_groups_and_filters_in_a_real_browser(report_run, browser, tmp_path) -> None:
    browser.open(report_run.html.as_uri())
    top = browser.run("return document.querySelector('.verdict').textContent;")
    assert top == "Failed against the baseline: 1 expected, 0 new, 1 stale"
    areas = browser.run("return Array.from(document.querySelectorAll('section.area h2')).map(e => e.textContent);")
    assert areas[0] == "Baseline mcp-baseline.yaml"
    assert areas[1] == "JSON-RPC messages (BASE)"  # the area with the SHOULD warning comes first
    assert "Lifecycle (LIFE)" in areas and "Tools (TOOL)" in areas
    assert "Per-request era (2026-07-28) (MOD)" in areas  # every area is named, not just its prefix
    groups = browser.run("return Array.from(document.querySelectorAll('#area-base [data-group=version]'))"
                         ".map(g => [g.tagName, g.open === true, g.querySelector('summary, h3').textContent]);")
    checked, *unchecked = groups  # the version the run checked first; versions it did not check folded below
    assert checked[0] == "DIV" and checked[2].startswith("protocol 2025-11-25 · 1 SHOULD warnings")
    assert sorted(report_run.json["skipped"]) == ["2024-11-05", "2025-03-26", "2025-06-18", "2026-07-28"]
    assert [g[2].split(" · ")[0] for g in unchecked] == ["protocol 2024-11-05", "protocol 2025-03-26",
                                                          "protocol 2026-07-28"]
    for tag, is_open, text in unchecked:  # folded, and the reason the version was not checked stays readable
        version = text.split(" · ")[0].removeprefix("protocol ")
        assert tag == "DETAILS" and not is_open and " n/a" in text and report_run.json["skipped"][version] in text

    everything = browser.run(VISIBLE)
    assert {"warn", "pass", "na"} <= set(everything)
    counts = report_run.json["counts"]
    assert everything.count("pass") == counts["pass"] and everything.count("warn") == counts["warn"] == 1

    browser.click("button[data-filter='pass']")
    after = browser.run(VISIBLE)
    assert "pass" not in after and after.count("warn") == counts["warn"]
    assert len(after) == len(everything) - counts["pass"]
    pressed = browser.run("return document.querySelector(\"button[data-filter='pass']\").getAttribute('aria-pressed');")
    assert pressed == "false"
    browser.click("button[data-filter='na']")
    assert browser.run(VISIBLE) == ["warn"]
    hidden = browser.run("return Array.from(document.querySelectorAll('[data-group]'))"
                         ".filter(s => s.hidden).map(s => s.id || s.tagName);")
    assert "area-life" in hidden and "area-mod" in hidden  # an area with nothing left to show disappears
    assert "DETAILS" in hidden  # and so does a folded group of n/a
    browser.screenshot(str(tmp_path / "filtered.png"))

    browser.click("button[data-filter='na']")
    browser.click("button[data-filter='pass']")
    assert browser.run(VISIBLE) == everything


def test_details_show_the_requirement_evidence_pretty_json_and_the_spec_link(report_run, browser) -> None:
    browser.open(report_run.html.as_uri())
    failed = "document.querySelector(\"details[data-outcome='warn']\")"
    assert browser.run(f"return {failed}.open;") is False
    assert "(expected)" in browser.run(f"return getComputedStyle({failed}.querySelector('.badge'), '::after').content;")
    browser.click("details[data-outcome='warn'] > summary")
    text = browser.run(f"return {failed}.querySelector('dl').innerText;")
    base07 = next(f for f in report_run.json["findings"] if f["check"] == "BASE-07")
    assert f"SHOULD: {base07['text']}" in text and "error -32601 (Method not found)" in text
    assert "expected: the server answers unknown methods" in text
    sent = browser.run(f"return Array.from({failed}.querySelectorAll('pre')).map(p => p.textContent);")
    assert any('\n  "jsonrpc": "2.0"' in block for block in sent), sent  # JSON indented, not one long line
    link = browser.run(f"return {failed}.querySelector('a').href;")
    assert link == base07["url"] == "https://www.jsonrpc.org/specification#error_object"  # the sentence's source


@pytest.mark.parametrize("width", [1000, 420])
def test_nothing_overflows_sideways(report_run, browser, width: int) -> None:
    browser.resize(width, 900)
    browser.open(report_run.html.as_uri())
    browser.run("document.querySelectorAll('details').forEach(d => d.open = true);")
    scroll, client = browser.run(OVERFLOW)
    assert scroll <= client, f"the page scrolls sideways at {width}px: {scroll} > {client}"
    wide = browser.run("return Array.from(document.querySelectorAll('pre, dd, summary'))"
                       ".filter(e => e.scrollWidth > e.clientWidth + 1).length;")
    assert wide == 0


def test_the_page_is_self_contained_and_escapes_what_servers_send() -> None:
    hostile = Finding(check="TOOL-05", requirement="TOOL-05", level="MUST", outcome="fail",
                      item="<img src=x onerror=alert(1)>", expected="a result",
                      actual="</pre><script>alert(1)</script>", version="2025-11-25")
    page = render_html(RunReport(target="python srv.py", findings=[hostile]))
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;/pre&gt;&lt;script&gt;" in page
    assert page.count("<script>") == 1 and "src=" not in page.replace("&lt;img src=x", "")
    assert "http://" not in page.split("<style>")[1].split("</style>")[0]  # no external stylesheet or font


def test_failures_open_unless_the_baseline_expects_them_and_info_findings_have_their_own_filter() -> None:
    failure = {"level": "MUST", "outcome": "fail", "expected": "a", "actual": "b", "version": "2025-11-25"}
    findings = [Finding(check="BASE-02", requirement="BASE-02", **failure),
                Finding(check="BASE-03", requirement="BASE-03", **failure),
                Finding(check="LIFE-04", requirement="LIFE-04", level="INFO", outcome="info", expected="a refusal",
                        actual="tools/list was served before initialize", version="2025-11-25")]
    page = render_html(RunReport(target="python srv.py", findings=findings),
                       baseline=Baseline((Entry("BASE-03", "known"),)))
    assert "<details class='finding fail' data-outcome='fail' open><summary><span class='badge'>fail</span>" \
           "<span class='rid'>BASE-02</span>" in page
    assert "<details class='finding fail expected' data-outcome='fail'><summary>" in page  # BASE-03: folded
    assert "<details class='finding info' data-outcome='info'>" in page and "data-filter='info'" in page
    assert "Failed: 2 failed, 0 SHOULD warnings, 0 passed, 0 n/a, 1 informational" in page


def test_pretty_indents_embedded_json_and_leaves_truncated_text_alone() -> None:
    assert pretty('> {"a": [1]}') == '> {\n  "a": [\n    1\n  ]\n}'
    assert pretty("got '{\"a\": 1, ...'") == "got '{\"a\": 1, ...'"
