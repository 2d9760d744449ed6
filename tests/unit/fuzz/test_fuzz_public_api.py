"""The public API as users meet it: plain sync Hypothesis tests against a real in-process MCPServer."""

from __future__ import annotations

from typing import Any

import anyio
from hypothesis import given, settings
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from mcptest.fuzz import Mutation, invalid_tool_arguments, tool_arguments

server = MCPServer("public-api")


class Window(BaseModel):
    start: int = Field(ge=0)
    length: int = Field(ge=1, le=100)


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def slice_text(text: str, window: Window) -> str:
    """Return a window of the text."""
    return text[window.start : window.start + window.length]


TOOLS = {tool.name: tool for tool in anyio.run(server.list_tools)}


def _call(name: str, arguments: dict[str, Any]) -> Any:
    return anyio.run(server.call_tool, name, arguments)


@settings(max_examples=30, derandomize=True, database=None, deadline=None)
@given(args=tool_arguments(TOOLS["add"]))
def test_valid_arguments_are_accepted_and_the_tool_computes(args: dict[str, int]) -> None:
    result = _call("add", args)
    assert not result.is_error
    assert result.structured_content == {"result": args["a"] + args["b"]}


@settings(max_examples=30, derandomize=True, database=None, deadline=None)
@given(args=tool_arguments(TOOLS["slice_text"]))
def test_valid_nested_model_arguments_are_accepted(args: dict[str, Any]) -> None:
    start, length = args["window"]["start"], args["window"]["length"]
    assert _call("slice_text", args).content[0].text == args["text"][start : start + length]


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(mutation=invalid_tool_arguments(TOOLS["slice_text"]))
def test_invalid_arguments_are_rejected_by_the_sdk(mutation: Mutation) -> None:
    if mutation.kind == "coercible-type":
        return  # pydantic's lax mode accepts True for an int: the runner rates this kind separately
    try:
        result = _call("slice_text", mutation.arguments)
    except ToolError:
        return
    assert result.is_error, f"{mutation.description}: accepted {mutation.arguments!r}"
