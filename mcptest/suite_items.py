"""The bridge between a SuiteRun and pytest: stash keys, the per-check case, outcome translation."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from mcptest.settings import Settings

if TYPE_CHECKING:
    from mcptest.checks import Check
    from mcptest.runner import SuiteRun

SETTINGS_KEY = pytest.StashKey[Settings]()
RUN_KEY = pytest.StashKey["SuiteRun"]()


class MCPShouldWarning(UserWarning):
    """A SHOULD-level finding: reported, counted, and a failure only under --mcp-strict."""


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
    """One parametrized test of the built-in suite: a check, maybe on one tool/resource/prompt."""

    run: SuiteRun
    check: Check
    item: dict[str, Any] | None

    @property
    def test_id(self) -> str:
        from mcptest.runner import item_key

        key = item_key(self.check, self.item)
        return f"{self.check.id}:{key}" if key else self.check.id

    def run_check(self) -> None:
        """Run the check and report it the pytest way: pass, fail, skip (n/a) or a warning (SHOULD)."""
        __tracebackhide__ = True
        finding, _ = self.run.execute(self.check, self.item)
        if finding.outcome == "n/a":
            pytest.skip(f"[{finding.requirement}] n/a: {finding.reason}")
        if finding.outcome == "warn":
            warnings.warn(MCPShouldWarning(finding.render().split("\n  last frames:")[0]), stacklevel=1)
        if finding.outcome in ("fail", "error"):
            pytest.fail(finding.render(), pytrace=False)
