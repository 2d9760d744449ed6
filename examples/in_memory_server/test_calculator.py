"""The calculator tested in memory: mcp_connect(app) speaks real MCP to the server object, no process."""

from calculator import app


def test_add_returns_structured_content(mcp_connect) -> None:
    result = mcp_connect(app).call_tool("add", {"a": 2, "b": 40})
    assert result.structured_content == {"result": 42}
    assert not result.is_error


def test_division_by_zero_is_a_tool_error(mcp_connect) -> None:
    result = mcp_connect(app).call_tool("divide", {"a": 1, "b": 0})
    assert result.is_error
    assert "cannot divide by zero" in result.content[0].text


def test_invalid_arguments_are_rejected(mcp_connect) -> None:
    result = mcp_connect(app).call_tool("add", {"a": "two", "b": 2})
    assert result.is_error
