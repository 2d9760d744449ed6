"""The HTML report of a real run, opened in headless Chromium: summary on top, findings grouped by area and
version, outcome filters that work when clicked, details with pretty JSON and spec links, no sideways scroll."""

from __future__ import annotations

import pytest

from mcptest.findings import Finding
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
    assert areas[1] == "JSON-RPC messages (BASE)"  # the area with the failure comes first
    assert "Lifecycle (LIFE)" in areas and "Tools (TOOL)" in areas
    versions = browser.run("return Array.from(document.querySelectorAll('#area-base h3')).map(e => e.textContent);")
    assert versions and all(v.startswith("protocol 2025-11-25") for v in versions)

    everything = browser.run(VISIBLE)
    assert {"fail", "pass"} <= set(everything)
    counts = report_run.json["counts"]
    assert everything.count("pass") == counts["pass"] and everything.count("fail") == counts["fail"]

    browser.click("button[data-filter='pass']")
    after = browser.run(VISIBLE)
    assert "pass" not in after and after.count("fail") == counts["fail"]
    assert len(after) == len(everything) - counts["pass"]
    pressed = browser.run("return document.querySelector(\"button[data-filter='pass']\").getAttribute('aria-pressed');")
    assert pressed == "false"
    hidden_areas = browser.run("return Array.from(document.querySelectorAll('section[data-group=area]'))"
                               ".filter(s => s.hidden).map(s => s.id);")
    assert "area-life" in hidden_areas  # an area with nothing left to show disappears with its findings
    browser.screenshot(str(tmp_path / "filtered.png"))

    browser.click("button[data-filter='pass']")
    assert browser.run(VISIBLE) == everything


def test_details_show_the_requirement_evidence_pretty_json_and_the_spec_link(report_run, browser) -> None:
    browser.open(report_run.html.as_uri())
    failed = "document.querySelector(\"details[data-outcome='fail']\")"
    assert browser.run(f"return {failed}.open;") is False  # expected by the baseline: folded
    assert "(expected)" in browser.run(f"return getComputedStyle({failed}.querySelector('.badge'), '::after').content;")
    browser.click("details[data-outcome='fail'] > summary")
    text = browser.run(f"return {failed}.querySelector('dl').innerText;")
    assert "Method not found (-32601)" in text and "expected: the server answers unknown methods" in text
    sent = browser.run(f"return Array.from({failed}.querySelectorAll('pre')).map(p => p.textContent);")
    assert any('\n  "jsonrpc": "2.0"' in block for block in sent), sent  # JSON indented, not one long line
    link = browser.run(f"return {failed}.querySelector('a').href;")
    assert link.startswith("https://modelcontextprotocol.io/specification/2025-11-25/")


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


def test_pretty_indents_embedded_json_and_leaves_truncated_text_alone() -> None:
    assert pretty('> {"a": [1]}') == '> {\n  "a": [\n    1\n  ]\n}'
    assert pretty("got '{\"a\": 1, ...'") == "got '{\"a\": 1, ...'"
