"""The registered tools as ``tools/list`` describes them, built once per change of the tool set, not per call."""

from __future__ import annotations

import mcp.types as types
from mcp.server import MCPServer


class ToolCatalog:
    """MCPServer's tool descriptions, kept until the tool set changes.

    ``MCPServer.list_tools`` builds a model per registered tool each time; every ``tools/call`` needs one tool's
    description (is it known? its ``inputSchema``), so building them all per call cost a tenth of the server's
    time. Every change of the tool set is announced through ``ChangeFeed.tools_changed``, which calls
    ``invalidate`` before announcing it.
    """

    def __init__(self, mcp: MCPServer) -> None:
        self._mcp = mcp
        self._tools: list[types.Tool] | None = None
        self._by_name: dict[str, types.Tool] = {}

    async def tools(self) -> list[types.Tool]:
        """Every registered tool, in registration order."""
        if self._tools is None:
            tools = await self._mcp.list_tools()
            self._tools, self._by_name = tools, {tool.name: tool for tool in tools}
        return list(self._tools)

    async def get(self, name: str) -> types.Tool | None:
        """The registered tool ``name``, or None."""
        await self.tools()
        return self._by_name.get(name)

    def invalidate(self) -> None:
        """The tool set changed: describe it afresh when next asked."""
        self._tools, self._by_name = None, {}
