"""Which tests xdist keeps together: a protocol version's built-in suite tests, and nothing else."""

from __future__ import annotations

import pytest

from mcptest.plugin import SUITE_DIR
from mcptest.xdist_split import suite_scope

MODULES = frozenset(path.stem for path in SUITE_DIR.glob("test_*.py"))


@pytest.mark.parametrize(("nodeid", "scope"), [
    ("test_tools.py::test_tools[TOOL-05:add@2025-11-25]", "mcptest-suite@2025-11-25"),
    ("../venv/lib/mcptest/suite/test_jsonrpc.py::test_jsonrpc[BASE-01@2026-07-28]", "mcptest-suite@2026-07-28"),
    ("test_tools.py::test_tools[TOOL-05:weird@name]@x@2024-11-05]", "mcptest-suite@2024-11-05"),
    ("tests/test_mine.py::test_mine[a@2025-11-25]", None),  # not a suite module
    ("test_tools.py::test_other[TOOL-05@2025-11-25]", None),  # not the suite's test function
    ("test_tools.py::test_tools[TOOL-05]", None),  # no version
])
def test_suite_tests_are_grouped_by_version_and_others_are_not(nodeid: str, scope: str | None) -> None:
    assert suite_scope(nodeid, MODULES) == scope
