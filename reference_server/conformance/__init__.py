"""Fixtures the official ``@modelcontextprotocol/conformance`` suite calls by name (enabled by ``conformance: true``):
content, sampling and elicitation (0.1.16 and 0.2.0), and the 2026-07-28 ones of 0.2.0: input-required results,
stateless diagnostics and the tasks extension."""

from __future__ import annotations

from mcp.server import MCPServer

from reference_server.conformance.content import register_content
from reference_server.conformance.interactive import register_interactive
from reference_server.conformance.mrtr import register_mrtr
from reference_server.conformance.schema import JSON_SCHEMA_2020_12, json_schema_tool
from reference_server.conformance.stateless import register_stateless
from reference_server.conformance.tasks import register_tasks_fixtures
from reference_server.presentation.changes import ChangeFeed
from reference_server.presentation.resources import Completions
from reference_server.tasks import TasksExtension

__all__ = ["JSON_SCHEMA_2020_12", "json_schema_tool", "register_conformance"]


def register_conformance(mcp: MCPServer, completions: Completions, changes: ChangeFeed, tasks: TasksExtension) -> None:
    """Register every fixture tool, resource and prompt (the JSON-schema tool comes from ``json_schema_tool``)."""
    register_content(mcp, completions)
    register_interactive(mcp)
    register_mrtr(mcp)
    register_stateless(mcp, changes)
    register_tasks_fixtures(mcp, tasks)
