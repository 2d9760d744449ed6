"""The HTML report: one self-contained page a person reads instead of the terminal (summary, groups, filters)."""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from itertools import groupby

from mcptest.findings import OUTCOMES, Finding, sort_key
from mcptest.report.baseline import Baseline, BaselineOutcome, Entry, expected_entry
from mcptest.report.model import RunReport

AREAS = {
    "LIFE": "Lifecycle", "BASE": "JSON-RPC messages", "PING": "Ping", "PROG": "Progress", "CANC": "Cancellation",
    "PAGE": "Pagination", "LOG": "Logging", "COMP": "Completion", "TOOL": "Tools", "FUZZ": "Tool fuzzing",
    "RES": "Resources", "PROMPT": "Prompts", "STDIO": "stdio transport", "HTTP": "Streamable HTTP transport",
    "SERVER": "Server health", "SSE": "HTTP+SSE transport (2024-11-05)", "MHTTP": "Streamable HTTP (2026-07-28)",
    "MOD": "Per-request era (2026-07-28)", "CAP": "Client capabilities", "STATE": "Stateful sequences",
}
LABELS = {"fail": "failed", "warn": "SHOULD warnings", "error": "mcptest errors", "info": "informational",
          "pass": "passed", "n/a": "n/a"}
CSS_CLASS = {"fail": "fail", "warn": "warn", "error": "error", "info": "info", "pass": "pass", "n/a": "na"}

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232b;background:#f5f6f8}
main{max-width:1100px;margin:0 auto;padding:20px}
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.2em;margin:0}h3{font-size:1em;margin:14px 0 6px;color:#4a5563}
.meta{color:#4a5563;margin:0 0 14px;overflow-wrap:anywhere}
.verdict{font-size:1.15em;font-weight:600;padding:10px 14px;border-radius:8px;margin:12px 0}
.verdict.bad{background:#fde2e1;color:#8a1c14}.verdict.good{background:#dff3e4;color:#185c2c}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0 18px}
.filters button{font:inherit;border:2px solid #c9ced6;background:#fff;border-radius:8px;padding:6px 12px;cursor:pointer}
.filters button[aria-pressed=false]{opacity:.45;text-decoration:line-through}
.filters button b{font-size:1.2em;margin-right:4px}
.filters .fail{border-color:#d93025}.filters .warn{border-color:#f2a900}.filters .error{border-color:#6f42c1}
.filters .pass{border-color:#1e8e3e}.filters .info{border-color:#1a5fb4}
section.area{background:#fff;border:1px solid #dde1e7;border-radius:10px;padding:12px 16px;margin:0 0 14px}
section.area>header{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline;justify-content:space-between}
.counts{color:#4a5563;font-size:.9em}
details.finding{border-top:1px solid #eef0f3;padding:6px 0}
details.finding>summary{cursor:pointer;list-style:none;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
details.finding>summary::-webkit-details-marker{display:none}
details.finding>summary::before{content:"\\25B8";color:#8a94a3}details.finding[open]>summary::before{content:"\\25BE"}
.badge{display:inline-block;min-width:4.2em;text-align:center;border-radius:5px;padding:0 6px;font-size:.8em;
  font-weight:700;text-transform:uppercase}
.fail .badge{background:#d93025;color:#fff}.warn .badge{background:#f2a900;color:#2a1e00}
.error .badge{background:#6f42c1;color:#fff}.pass .badge{background:#1e8e3e;color:#fff}.na .badge{background:#c9ced6}
.info .badge{background:#1a5fb4;color:#fff}
details.unchecked>summary{cursor:pointer}details.unchecked>summary h3{display:inline}
.why{display:block;color:#4a5563;font-size:.9em;margin:2px 0 4px 18px;overflow-wrap:anywhere}
.expected .badge::after{content:" (expected)";text-transform:none;font-weight:400}
.rid{font-weight:600}.item{font-family:ui-monospace,monospace;overflow-wrap:anywhere}
.gist{color:#4a5563;flex:1 1 300px;min-width:0;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 12px;margin:8px 0 4px 18px}
dt{color:#4a5563}dd{margin:0;min-width:0;overflow-wrap:anywhere}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;background:#f6f8fa;
  border-radius:6px;padding:6px 8px;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;
  max-height:28em;overflow-y:auto}
a{color:#1a5fb4;overflow-wrap:anywhere}
.baseline li{overflow-wrap:anywhere}
.empty{color:#4a5563;font-style:italic}
"""

SCRIPT = """
(function(){
  var hidden = {};
  function apply(){
    document.querySelectorAll('details.finding').forEach(function(el){
      el.hidden = !!hidden[el.dataset.outcome];
    });
    document.querySelectorAll('[data-group]').forEach(function(group){
      group.hidden = !group.querySelector('details.finding:not([hidden])');
    });
    var none = document.getElementById('nothing-shown');
    if (none) none.hidden = !!document.querySelector('details.finding:not([hidden])');
  }
  document.querySelectorAll('.filters button').forEach(function(button){
    button.addEventListener('click', function(){
      var outcome = button.dataset.filter;
      hidden[outcome] = !hidden[outcome];
      button.setAttribute('aria-pressed', hidden[outcome] ? 'false' : 'true');
      apply();
    });
  });
  apply();
})();
"""


def pretty(text: str) -> str:
    """``text`` with every JSON object or array in it indented (``> {...}`` frames, ``Origin: x + {...}``, ...).

    Anything that is not complete JSON (a truncated ``'{"a": 1, ...'``) is left as it is.
    """
    decoder = json.JSONDecoder()
    out: list[str] = []
    index = 0
    while index < len(text):
        starts = [i for i in (text.find("{", index), text.find("[", index)) if i >= 0]
        if not starts:
            break
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            out.append(text[index:start + 1])
            index = start + 1
            continue
        rendered = json.dumps(value, indent=2, ensure_ascii=False) if value else text[start:end]
        out.append(text[index:start] + rendered)
        index = end
    out.append(text[index:])
    return "".join(out)


def _field(name: str, value: str, *, code: bool = False) -> str:
    if not value:
        return ""
    body = f"<pre>{escape(pretty(value))}</pre>" if code else escape(value)
    return f"<dt>{escape(name)}</dt><dd>{body}</dd>"


def _finding(finding: Finding, baseline: Baseline | None) -> str:
    entry = expected_entry(finding, baseline)
    classes = f"finding {CSS_CLASS[finding.outcome]}" + (" expected" if entry is not None else "")
    item = f"<span class='item'>{escape(finding.item)}</span>" if finding.item else ""
    gist = "" if finding.outcome == "pass" else f"<span class='gist'>{escape(finding.gist(220))}</span>"
    link = f"<a href='{escape(finding.url)}' rel='noreferrer'>{escape(finding.url)}</a>" if finding.url else ""
    rows = [
        _field("requirement", f"{finding.level}: {finding.text}" if finding.text else ""),
        _field("expected", finding.expected), _field("got", finding.actual, code=True),
        _field("reason", finding.reason, code=finding.outcome == "error"),
        _field("sent", finding.sent, code=True), _field("reproduce", finding.reproduce, code=True),
        _field("details", finding.details, code=True),
        _field("baseline", f"expected: {entry.reason} ({baseline.where(entry)})" if entry and baseline else ""),
        f"<dt>spec</dt><dd>{link}</dd>" if link else "",
        _field("version", finding.version),
    ]
    is_open = " open" if finding.outcome in ("fail", "error") and entry is None else ""
    return (f"<details class='{classes}' data-outcome='{CSS_CLASS[finding.outcome]}'{is_open}>"
            f"<summary><span class='badge'>{escape(finding.outcome)}</span>"
            f"<span class='rid'>{escape(finding.requirement)}</span><span>{escape(finding.level)}</span>{item}{gist}"
            f"</summary><dl>{''.join(rows)}</dl></details>")


def _counts(findings: list[Finding]) -> str:
    counts = Counter(f.outcome for f in findings)
    return ", ".join(f"{counts[o]} {LABELS[o]}" for o in OUTCOMES if counts[o])


def _area_order(findings: list[Finding]) -> dict[str, tuple[int, int, str]]:
    """Areas with the most severe outcome first (failures on top), then in the spec's order."""
    keys = list(AREAS)
    worst: dict[str, int] = {}
    for finding in findings:
        worst[finding.area] = min(worst.get(finding.area, len(OUTCOMES)), OUTCOMES.index(finding.outcome))
    return {area: (rank, keys.index(area) if area in keys else len(keys), area) for area, rank in worst.items()}


def _version_group(version: str, findings: list[Finding], baseline: Baseline | None, skipped: dict[str, str]) -> str:
    """One version's findings within an area; a group holding only n/a is folded, with the reason they share."""
    title = f"<h3>protocol {escape(version or '(none)')} · {escape(_counts(findings))}</h3>"
    body = "".join(_finding(f, baseline) for f in sorted(findings, key=sort_key))
    if any(f.outcome != "n/a" for f in findings):
        return f"<div data-group='version'>{title}{body}</div>"
    reasons = {f.reason for f in findings}
    reason = skipped.get(version) or (reasons.pop() if len(reasons) == 1 else "")
    why = f"<span class='why'>{escape(reason)}</span>" if reason else ""
    return f"<details class='unchecked' data-group='version'><summary>{title}{why}</summary>{body}</details>"


def _groups(findings: list[Finding], baseline: Baseline | None, skipped: dict[str, str]) -> str:
    parts = []
    order = _area_order(findings)
    by_area = sorted(findings, key=lambda f: (order[f.area], f.version, sort_key(f)))
    for area, area_findings in groupby(by_area, key=lambda f: f.area):
        members = list(area_findings)
        chunks = [list(chunk) for _, chunk in groupby(members, key=lambda f: f.version)]
        chunks.sort(key=lambda chunk: all(f.outcome == "n/a" for f in chunk))  # what was checked comes first
        versions = "".join(_version_group(chunk[0].version, chunk, baseline, skipped) for chunk in chunks)
        parts.append(f"<section class='area' data-group='area' id='area-{escape(area.lower())}'><header>"
                     f"<h2>{escape(AREAS.get(area, area))} <small>({escape(area)})</small></h2>"
                     f"<span class='counts'>{escape(_counts(members))}</span></header>{versions}</section>")
    return "".join(parts)


def _verdict(report: RunReport, outcome: BaselineOutcome | None) -> str:
    counts = Counter(f.outcome for f in report.findings)
    if report.error:
        return f"<p class='verdict bad'>The server could not be started: {escape(report.error)}</p>"
    errors = f", {counts['error']} mcptest errors" if counts["error"] else ""
    if outcome is not None:
        bad = bool(outcome.failed or counts["error"])
        text = f"{'Failed' if bad else 'Passed'} against the baseline: {outcome.counts()}{errors}"
    else:
        bad = bool(counts["fail"] or counts["error"])
        info = f", {counts['info']} informational" if counts["info"] else ""
        text = (f"{'Failed' if bad else 'Passed'}: {counts['fail']} failed, {counts['warn']} SHOULD warnings, "
                f"{counts['pass']} passed, {counts['n/a']} n/a{info}{errors}")
    return f"<p class='verdict {'bad' if bad else 'good'}'>{escape(text)}</p>"


def _baseline_section(baseline: Baseline | None, outcome: BaselineOutcome | None) -> str:
    if baseline is None or outcome is None:
        return ""
    def where(entry: Entry) -> str:
        return f"{escape(entry.label)} ({escape(baseline.where(entry))})"

    items = [f"<li>stale entry: remove <b>{where(e)}</b>: its check now passes</li>" for e in outcome.stale]
    items += [f"<li>new: <b>{escape(f.key)}</b>: {escape(f.gist(200))}</li>" for f in outcome.new]
    items += [f"<li>stale SHOULD entry: {where(e)}: fails under --mcp-strict</li>" for e in outcome.stale_warnings]
    items += [f"<li>unused: {where(e)}: nothing it lists ran</li>" for e in outcome.unused]
    listing = f"<ul>{''.join(items)}</ul>" if items else ""
    return (f"<section class='area baseline'><h2>Baseline {escape(baseline.source)}</h2>"
            f"<p>{escape(outcome.counts())}</p>{listing}</section>")


def render_html(report: RunReport, *, baseline: Baseline | None = None, outcome: BaselineOutcome | None = None,
                generated: str = "") -> str:
    """The whole report page: summary, outcome filters, findings grouped by area and protocol version."""
    findings = list(report.findings)
    counts = Counter(f.outcome for f in findings)
    info = report.server or {}
    server = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    title = f"mcptest report: {server}"
    meta = " · ".join(escape(part) for part in (
        f"target {report.target}" if report.target else "",
        f"protocol {', '.join(report.versions)}" if report.versions else "",
        f"{len({f.check for f in findings})} checks, {len(findings)} findings",
        f"server restarted {report.restarts} time(s)" if report.restarts else "", generated) if part)
    buttons = "".join(
        f"<button type='button' class='{CSS_CLASS[o]}' data-filter='{CSS_CLASS[o]}' aria-pressed='true'>"
        f"<b>{counts[o]}</b>{escape(LABELS[o])}</button>" for o in OUTCOMES if counts[o])
    body = _groups(findings, baseline, report.skipped) if findings else "<p class='empty'>No check ran.</p>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>"
        f"<h1>{escape(title)}</h1><p class='meta'>{meta}</p>{_verdict(report, outcome)}"
        f"{_baseline_section(baseline, outcome)}"
        f"<nav class='filters' aria-label='show or hide findings by outcome'>{buttons}</nav>"
        f"{body}<p id='nothing-shown' class='empty' hidden>Every finding is filtered out.</p>"
        f"</main><script>{SCRIPT}</script></body></html>"
    )
