"""The mcptest section of pytest's terminal summary: versions, counts, SHOULD warnings, what was not run and why."""

from __future__ import annotations

from collections import Counter

import pytest

from mcptest.report.baseline import Baseline, BaselineOutcome
from mcptest.report.model import RunReport


def summary_lines(run: RunReport) -> list[tuple[str, dict[str, bool]]]:
    """The summary as (line, markup) pairs: also what ``mcptest check`` prints."""
    lines: list[tuple[str, dict[str, bool]]] = []
    if run.error:
        lines.append((f"the server could not be checked, so {len(run.findings)} checks did not run: {run.error}",
                      {"red": True}))
        return lines
    counts = Counter(f.outcome for f in run.findings)
    checks = len({f.check for f in run.findings})
    lines.append((f"server {run.server_name!r}: {checks} checks at {', '.join(run.versions) or 'no version'}: "
                  f"{counts['pass']} passed, {counts['fail']} failed, {counts['warn']} SHOULD warnings, "
                  f"{counts['n/a']} n/a" + (f", {counts['error']} mcptest errors" if counts["error"] else ""), {}))
    for version in sorted(run.skipped):
        lines.append((f"  not checked at {version}: {run.skipped[version]}", {}))
    informed = [f for f in run.findings if f.outcome == "info"]
    if informed:
        lines.append(("informational findings (MAY or client-side requirements; never failures):", {}))
        lines += [(f"  {f.requirement}@{f.version}{f' [{f.item}]' if f.item else ''}: {f.gist()}", {})
                  for f in informed]
    warned = [f for f in run.findings if f.outcome == "warn"]
    if warned:
        lines.append(("SHOULD-level findings (warnings; --mcp-strict makes them failures):", {"yellow": True}))
        for finding in warned:
            where = f" [{finding.item}]" if finding.item else ""
            lines.append((f"  {finding.requirement}@{finding.version}{where}: {finding.gist()}", {}))
    errors = [f for f in run.findings if f.outcome == "error"]
    if errors:
        lines.append(("mcptest errors (a bug in mcptest, not a finding about the server; please report it):",
                      {"red": True}))
        for finding in errors:
            lines.append((f"  {finding.key}: {finding.gist()}", {}))
    unsafe = sorted({f.item for f in run.findings if f.outcome == "n/a" and "--mcp-call-unsafe" in f.reason})
    if unsafe:
        lines.append((f"tools not called (annotated destructive or open-world; --mcp-call-unsafe to include): "
                      f"{', '.join(unsafe)}", {}))
    if run.restarts:
        lines.append((f"the server died and was restarted {run.restarts} time(s) during the run", {"red": True}))
    return lines


def terminal_summary(reporter: pytest.TerminalReporter, run: RunReport, baseline: Baseline | None = None,
                     outcome: BaselineOutcome | None = None) -> None:
    """Write the conformance summary for ``run`` (nothing when no check ran), and its baseline verdict."""
    if not run.findings and not run.error:
        return
    reporter.write_sep("=", "MCP conformance summary")
    for line, markup in summary_lines(run):
        reporter.write_line(line, **markup)
    if baseline is not None and outcome is not None:
        baseline_summary(reporter, baseline, outcome)


def baseline_summary(reporter: pytest.TerminalReporter, baseline: Baseline, outcome: BaselineOutcome) -> None:
    """The baseline section: counts, then each expected, new and stale finding with where it is listed."""
    reporter.write_line(f"baseline {baseline.source}: {outcome.counts()}", red=outcome.failed, green=not outcome.failed)
    for finding, entry in outcome.expected:
        reporter.write_line(f"  expected {finding.key} ({baseline.where(entry)}): {entry.reason}")
    for finding in outcome.new:
        reporter.write_line(f"  new {finding.key}: {finding.gist()}", red=True)
    for entry in outcome.stale:
        reporter.write_line(f"  stale baseline entry: remove {entry.label} ({baseline.where(entry)}): "
                            "its check ran and passed", red=True)
    for entry in outcome.stale_warnings:
        reporter.write_line(f"  stale baseline entry (SHOULD, fails under --mcp-strict): remove {entry.label} "
                            f"({baseline.where(entry)}): its check ran and passed", yellow=True)
    for entry in outcome.unused:
        reporter.write_line(f"  unused {entry.label} ({baseline.where(entry)}): nothing it lists ran in this run")

