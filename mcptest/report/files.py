"""Write the findings of a run to the files the user asked for (JSON, HTML)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from mcptest.report.model import RunReport
from mcptest.settings import Settings


def as_json(run: RunReport) -> dict[str, object]:
    """The run as a JSON-ready document."""
    return run.as_json()


def as_html(run: RunReport) -> str:
    """A self-contained HTML page listing every finding."""
    doc = as_json(run)
    rows = "".join(
        f"<tr class='{html.escape(f.outcome.replace('/', ''))}'><td>{html.escape(f.requirement)}</td><td>{html.escape(f.level)}</td>"
        f"<td>{html.escape(f.outcome)}</td><td>{html.escape(f.item)}</td><td><pre>{html.escape(f.render())}</pre></td>"
        f"<td><a href='{html.escape(f.url)}'>spec</a></td></tr>"
        for f in run.findings
    )
    title = html.escape(f"mcptest report: {doc['target']}")
    style = "td{vertical-align:top;padding:4px}.fail{background:#fdd}.warn{background:#ffd}.pass{background:#dfd}.na{color:#777}"
    counts = html.escape(json.dumps(doc["counts"]))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>{style}</style></head>"
            f"<body><h1>{title}</h1><p>{counts}</p><table><tr><th>requirement</th><th>level</th><th>outcome</th>"
            f"<th>item</th><th>message</th><th></th></tr>{rows}</table></body></html>")


def write_reports(run: RunReport, settings: Settings) -> None:
    """Write the JSON and HTML reports named in ``settings`` (if any)."""
    if settings.report_json:
        Path(settings.report_json).write_text(json.dumps(as_json(run), indent=2, ensure_ascii=False), encoding="utf-8")
    if settings.report_html:
        Path(settings.report_html).write_text(as_html(run), encoding="utf-8")
