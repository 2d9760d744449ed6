"""Tool descriptions are built once per change of the tool set (ToolCatalog), and every change is seen at once: a
tool added at run time is listed and callable; a removed one is unknown again (-32602)."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from reference_server.config import ServerConfig
from reference_server.conformance.stateless import DYNAMIC_TOOL
from reference_server.server import build_server

pytestmark = pytest.mark.anyio
TRIGGER = "test_trigger_tool_change"


async def listed(client: Client) -> set[str]:
    names, cursor = set(), None
    while True:
        page = await client.list_tools(cursor=cursor)
        names |= {tool.name for tool in page.tools}
        if not (cursor := page.next_cursor):
            return names


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_a_tool_added_and_removed_at_run_time_is_known_exactly_while_it_is_registered(mode: str) -> None:
    server = build_server(ServerConfig(log_level="WARNING", conformance=True))
    async with Client(server, mode=mode, cache=None) as client:
        with pytest.raises(MCPError, match=f"Unknown tool: {DYNAMIC_TOOL}") as unknown:
            await client.call_tool(DYNAMIC_TOOL, {})
        assert unknown.value.error.code == -32602
        added = await client.call_tool(TRIGGER, {})  # also warms the catalog before the change
        assert not added.is_error and DYNAMIC_TOOL in await listed(client)
        called = await client.call_tool(DYNAMIC_TOOL, {})
        assert not called.is_error and called.content[0].text == "The dynamic tool is here."
        await client.call_tool(TRIGGER, {})
        assert DYNAMIC_TOOL not in await listed(client)
        with pytest.raises(MCPError, match=f"Unknown tool: {DYNAMIC_TOOL}"):
            await client.call_tool(DYNAMIC_TOOL, {})
