"""Between the built-in suite's pytest items and the reports: each test's finding, JUnit properties, baselines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mcptest.findings import Finding
from mcptest.report.baseline import (
    Baseline,
    BaselineError,
    BaselineOutcome,
    apply_baseline,
    expected_entry,
    load_baseline,
)

if TYPE_CHECKING:
    from mcptest.report.model import RunReport
    from mcptest.settings import Settings

BASELINE_KEY = pytest.StashKey["Baseline | None"]()
OUTCOME_KEY = pytest.StashKey[BaselineOutcome]()


def junit_properties(finding: Finding) -> list[tuple[str, str]]:
    """What a JUnit testcase carries about its finding: requirement, level, protocol version, outcome, spec."""
    properties = [("mcp_requirement", finding.requirement), ("mcp_level", finding.level),
                  ("mcp_version", finding.version), ("mcp_outcome", finding.outcome), ("mcp_spec", finding.url)]
    if finding.item:
        properties.append(("mcp_item", finding.item))
    return [(name, value) for name, value in properties if value]


def configure_baseline(config: pytest.Config, settings: Settings) -> None:
    """Load ``--mcp-baseline`` once, at configure time: a bad file is a usage error before anything runs."""
    try:
        config.stash[BASELINE_KEY] = load_baseline(settings.baseline)  # type: ignore[arg-type]
    except BaselineError as exc:
        raise pytest.UsageError(str(exc)) from None


def annotate_report(item: pytest.Item, report: pytest.TestReport, finding: Finding) -> None:
    """Add the finding's JUnit properties to a suite test's call report; a baselined failure becomes an xfail."""
    properties = junit_properties(finding)
    baseline = item.config.stash.get(BASELINE_KEY, None)
    entry = expected_entry(finding, baseline)
    if entry is not None and baseline is not None:
        properties.append(("mcp_baseline", f"expected ({baseline.where(entry)})"))
    # junitxml writes the properties of the teardown report, which copies the item's
    item.user_properties.extend(properties)
    report.user_properties.extend(properties)
    if entry is None or baseline is None:
        return
    if report.failed:
        report.outcome = "skipped"
        report.wasxfail = f"expected by baseline {baseline.where(entry)}: {entry.reason}"  # type: ignore[attr-defined]


def finish_baseline(session: pytest.Session, report: RunReport, settings: Settings) -> None:
    """Judge the whole run against the baseline: stale entries fail it too (new failures already did)."""
    baseline = session.config.stash.get(BASELINE_KEY, None)
    if baseline is None:
        return
    outcome = apply_baseline(report.findings, baseline, settings.strict)
    session.config.stash[OUTCOME_KEY] = outcome
    if outcome.stale and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def baseline_outcome(config: pytest.Config) -> BaselineOutcome | None:
    """The verdict ``finish_baseline`` stored, for the terminal summary."""
    return config.stash.get(OUTCOME_KEY, None)
