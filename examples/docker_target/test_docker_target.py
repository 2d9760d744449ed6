"""The server's own tests, run against its container: pytest --mcp-server docker:IMAGE test_docker_target.py."""

from __future__ import annotations

from typing import Any

from mcptest.wire import Wire


def call(mcp_wire: Wire, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call a tool over the raw wire and return the tools/call result."""
    reply = mcp_wire.request("tools/call", {"name": tool, "arguments": arguments})
    assert reply.ok, reply.response
    return reply.result


def test_freezing_point_is_32_fahrenheit(mcp_wire: Wire) -> None:
    result = call(mcp_wire, "celsius_to_fahrenheit", {"celsius": 0})
    assert result == {"content": [{"type": "text", "text": "32"}], "isError": False}


def test_word_count_splits_on_any_whitespace(mcp_wire: Wire) -> None:
    result = call(mcp_wire, "word_count", {"text": "one two\tthree\nfour"})
    assert result["content"][0]["text"] == "4"


def test_a_wrong_argument_type_is_a_tool_error_not_a_crash(mcp_wire: Wire) -> None:
    result = call(mcp_wire, "celsius_to_fahrenheit", {"celsius": "warm"})
    assert result["isError"] is True
    assert "celsius (a number)" in result["content"][0]["text"]
