"""The mcptest section of pytest's terminal summary: counts, SHOULD warnings, what was not run and why."""

from __future__ import annotations

from collections import Counter

import pytest

from mcptest.report.baseline import Baseline, BaselineOutcome
from mcptest.report.model import RunReport


def terminal_summary(reporter: pytest.TerminalReporter, run: RunReport, baseline: Baseline | None = None,
                     outcome: BaselineOutcome | None = None) -> None:
    """Write the conformance summary for ``run`` (nothing when no check ran), and its baseline verdict."""
    if not run.findings:
        return
    counts = Counter(f.outcome for f in run.findings)
    reporter.write_sep("=", "MCP conformance summary")
    if run.error:
        reporter.write_line(f"the server could not be started, so {len(run.findings)} checks did not run: {run.error}",
                            red=True)
        return
    checks = len({f.check for f in run.findings})
    reporter.write_line(f"server {run.server_name!r} at protocol {run.version or '?'}: {checks} checks, "
                        f"{counts['pass']} passed, {counts['fail']} failed, {counts['warn']} SHOULD warnings, "
                        f"{counts['n/a']} n/a")
    warned = [f for f in run.findings if f.outcome == "warn"]
    if warned:
        reporter.write_line("SHOULD-level findings (warnings; --mcp-strict makes them failures):", yellow=True)
        for finding in warned:
            where = f" [{finding.item}]" if finding.item else ""
            reporter.write_line(f"  {finding.requirement}{where}: {finding.gist()}")
    unsafe = sorted({f.item for f in run.findings if f.outcome == "n/a" and "--mcp-call-unsafe" in f.reason})
    if unsafe:
        reporter.write_line("tools not called (annotated destructive or open-world; --mcp-call-unsafe to include): "
                            + ", ".join(unsafe))
    if run.restarts:
        reporter.write_line(f"the server died and was restarted {run.restarts} time(s) during the run", red=True)
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
