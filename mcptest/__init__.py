"""mcptest: pytest-native testing and conformance toolkit for MCP servers."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "tool_arguments": "mcptest.fuzz",
    "invalid_tool_arguments": "mcptest.fuzz",
    "Mutation": "mcptest.fuzz",
    "UnsupportedSchema": "mcptest.fuzz",
    "Session": "mcptest.session",
    "Settings": "mcptest.settings",
    "Target": "mcptest.target",
    "parse_target": "mcptest.target",
    "Violation": "mcptest.findings",
    "NotApplicable": "mcptest.findings",
    "Finding": "mcptest.findings",
    "run_all": "mcptest.runner",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``import mcptest`` stays cheap for the pytest plugin."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mcptest' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
