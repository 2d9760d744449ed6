"""Integration tests as the course writes them: async tests awaiting the mcp_client fixture."""

import asyncio

import pytest


@pytest.mark.asyncio
async def test_tool_discovery(mcp_client):
    tools = await mcp_client.list_tools()
    assert {"create_user", "get_user"} <= {tool.name for tool in tools.tools}


@pytest.mark.asyncio
async def test_tool_execution(mcp_client):
    result = await mcp_client.call_tool("create_user", {"name": "Integration Test User", "email": "it@example.com"})
    assert not result.is_error
    assert result.structured_content == {"id": 1, "name": "Integration Test User", "email": "it@example.com"}


@pytest.mark.asyncio
async def test_invalid_input_is_a_tool_error(mcp_client):
    result = await mcp_client.call_tool("create_user", {"name": "", "email": "invalid-email"})
    assert result.is_error and "name must not be empty" in result.content[0].text


@pytest.mark.asyncio
async def test_resource_access(mcp_client):
    resources = await mcp_client.list_resources()
    assert [str(r.uri) for r in resources.resources] == ["users://count"]
    await asyncio.gather(*(mcp_client.call_tool("create_user", {"name": f"User {i}", "email": f"u{i}@example.com"})
                           for i in range(10)))
    content = await mcp_client.read_resource("users://count")
    assert content.contents[0].text == "10"
