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
@given(mutation=invalid_tool_arguments(TOOLS["slice_text"]).filter(lambda m: m.kind != "coercible-type"))
def test_invalid_arguments_are_rejected_by_the_sdk(mutation: Mutation) -> None:
    """pydantic's lax mode accepts True for an int (coercible-type), so that kind is left out, as the runner does;
    every other mutation must be refused, by a raised ToolError or an isError result."""
    try:
        result = _call("slice_text", mutation.arguments)
    except ToolError as exc:
        assert str(exc), mutation.description
    else:
        assert result.is_error, f"{mutation.description}: accepted {mutation.arguments!r}"


def test_the_sdk_rejection_property_runs_on_real_refusals() -> None:
    """The property above is not vacuous: its draws reach the SDK and are refused (raised or flagged)."""
    raised, flagged = 0, 0

    @settings(max_examples=40, derandomize=True, database=None, deadline=None)
    @given(mutation=invalid_tool_arguments(TOOLS["slice_text"]).filter(lambda m: m.kind != "coercible-type"))
    def count(mutation: Mutation) -> None:
        nonlocal raised, flagged
        try:
            flagged += _call("slice_text", mutation.arguments).is_error
        except ToolError:
            raised += 1

    count()
    assert raised + flagged >= 30
