"""Write the findings of a run to the files the user asked for (JSON, HTML, SARIF)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mcptest.report.baseline import Baseline, BaselineOutcome
from mcptest.report.model import RunReport
from mcptest.settings import Settings


def as_json(run: RunReport, outcome: BaselineOutcome | None = None) -> dict[str, Any]:
    """The run as a JSON-ready document (with the baseline verdict, when there is one)."""
    document: dict[str, Any] = run.as_json()
    if outcome is not None:
        document["baseline"] = {
            "expected": [{"finding": f.key, "reason": e.reason, "line": e.line} for f, e in outcome.expected],
            "new": [f.key for f in outcome.new],
            "stale": [e.label for e in outcome.stale],
            "staleWarnings": [e.label for e in outcome.stale_warnings],
            "unused": [e.label for e in outcome.unused],
        }
    return document


def write_reports(run: RunReport, settings: Settings, baseline: Baseline | None = None,
                  outcome: BaselineOutcome | None = None) -> None:
    """Write the JSON, HTML and SARIF reports named in ``settings`` (if any)."""
    if settings.report_json:
        _write(settings.report_json, json.dumps(as_json(run, outcome), indent=2, ensure_ascii=False))
    if settings.report_html:
        from mcptest.report.html import render_html

        generated = datetime.now(timezone.utc).strftime("generated %Y-%m-%d %H:%M UTC")
        _write(settings.report_html, render_html(run, baseline=baseline, outcome=outcome, generated=generated))
    if getattr(settings, "report_sarif", None):
        from mcptest import __version__
        from mcptest.report.sarif import sarif_log, target_artifact

        root = Path.cwd()
        log = sarif_log(run, tool_version=__version__, artifact=target_artifact(run.target, root), baseline=baseline,
                        srcroot=root)
        _write(settings.report_sarif, json.dumps(log, indent=2, ensure_ascii=False))


def _write(path: str, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
