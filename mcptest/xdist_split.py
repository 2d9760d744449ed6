"""Under pytest-xdist, the built-in suite's tests of one protocol version go to one worker, so workers split a run.

The checks of a version share its connections, and its observers judge everything those connections saw, so a worker
that runs any of a version's tests runs the whole version. Scheduling tests by version keeps that work on one worker:
with ``-n 2`` and two covered versions, each worker checks one. Every other test is scheduled one by one, as
``--dist load`` does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

# test_tools.py::test_tools[TOOL-05:add@2025-11-25]; node ids are relative to a rootdir the controller and the
# workers may not share, so a suite test is recognised by its module's name, test name and id, not by its path
_SUITE_ID = re.compile(r"(?:^|/)(test_\w+)\.py::(test_\w+)\[.*@(\d{4}-\d{2}-\d{2})\]$")


def suite_scope(nodeid: str, modules: frozenset[str]) -> str | None:
    """``mcptest-suite@VERSION`` for a built-in suite test's node id, None for any other test.

    Args:
        nodeid: a test's node id.
        modules: the built-in suite's module names (``test_tools``, ...).
    """
    match = _SUITE_ID.search(nodeid)
    if match is None or match.group(1) != match.group(2) or match.group(1) not in modules:
        return None
    return f"mcptest-suite@{match.group(3)}"


class VersionScheduling(LoadScopeScheduling):
    """``--dist load`` for every test, except that a protocol version's suite tests form one unit of work."""

    def __init__(self, config: pytest.Config, log: Any = None, *, suite_dir: Path) -> None:
        super().__init__(config, log)
        self._modules = frozenset(path.stem for path in suite_dir.glob("test_*.py"))

    def _split_scope(self, nodeid: str) -> str:
        return suite_scope(nodeid, self._modules) or nodeid
