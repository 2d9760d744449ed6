"""mcptest: pytest-native testing and conformance toolkit for MCP servers."""

from __future__ import annotations

from mcptest._lazy import lazy_exports

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


__getattr__ = lazy_exports("mcptest", _EXPORTS)
