"""The bridge between a SuiteRun and pytest: stash keys, the per-case test, and a typed Finding on each report."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from mcptest.settings import Settings

if TYPE_CHECKING:
    from mcptest.findings import Finding
    from mcptest.plan import Case
    from mcptest.runner import SuiteRun

SETTINGS_KEY = pytest.StashKey[Settings]()
RUN_KEY = pytest.StashKey["SuiteRun"]()
REPORT_ATTR = "mcp_finding"
"""The attribute of a TestReport that carries its Finding (as a dict; it survives xdist's serialization)."""


class MCPShouldWarning(UserWarning):
    """A SHOULD-level finding: reported, counted, and a failure only under --mcp-strict."""


class MCPInfoWarning(UserWarning):
    """An informational finding (a MAY or INFO requirement): reported, never a failure."""


def get_run(config: pytest.Config) -> SuiteRun:
    """The run for this pytest process (each xdist worker starts its own), started on first use."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        from mcptest.runner import SuiteRun

        run = SuiteRun.start(config.stash[SETTINGS_KEY])
        config.stash[RUN_KEY] = run
    return run


@dataclass(frozen=True)
class SuiteCase:
    """One parametrized test of the built-in suite: a planned case of a run."""

    run: SuiteRun
    case: Case

    @property
    def test_id(self) -> str:
        return self.case.test_id

    def run_check(self) -> None:
        """Wait for the case's Finding and report it the pytest way: pass, fail, skip (n/a) or a warning (SHOULD)."""
        __tracebackhide__ = True
        finding = self.run.result(self.case)
        if finding.outcome == "n/a":
            pytest.skip(f"[{finding.check}] n/a: {finding.reason}")
        if finding.outcome == "warn":
            warnings.warn(MCPShouldWarning(finding.render().split("\n  last frames:")[0]), stacklevel=1)
        if finding.outcome == "info":
            warnings.warn(MCPInfoWarning(finding.render().split("\n  last frames:")[0]), stacklevel=1)
        if finding.outcome in ("fail", "error"):
            pytest.fail(finding.render(), pytrace=False)


def attach(item: pytest.Item) -> Finding | None:
    """The Finding of a suite test (None for any other test), known once its call ran."""
    case = getattr(item, "funcargs", {}).get("mcp_check")
    if not isinstance(case, SuiteCase):
        return None
    return case.run.result(case.case)


def finding_of(report: Any) -> Finding | None:
    """The Finding a test report carries (None for reports of other tests)."""
    data = getattr(report, REPORT_ATTR, None)
    if data is None:
        return None
    from mcptest.findings import Finding

    return Finding.from_dict(data)
