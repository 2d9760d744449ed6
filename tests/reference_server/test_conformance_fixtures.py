"""The official conformance suite's fixtures (``conformance: true``), exercised with the SDK client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from _refsrv_helpers import all_tools, connect
from mcp.server import MCPServer
from mcp.types import CreateMessageResult, ElicitResult, PromptReference, TextContent

# These tests exercise handshake-era features (logging/setLevel, resources/subscribe, sampling) that the SDK
# flags as deprecated at 2026-07-28; the server supports both eras on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")]


async def test_absent_without_the_flag(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server()) as client:
        assert not [t for t in await all_tools(client) if t.name.startswith("test_")]


async def test_content_tools_resources_and_prompts(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server(conformance=True)) as client:
        tools = {t.name: t for t in await all_tools(client)}
        schema = tools["json_schema_2020_12_tool"].input_schema
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert "address" in schema["$defs"] and schema["additionalProperties"] is False
        mixed = await client.call_tool("test_multiple_content_types", {})
        assert [c.type for c in mixed.content] == ["text", "image", "resource"]
        assert (await client.call_tool("test_audio_content", {})).content[0].mime_type == "audio/wav"
        error = await client.call_tool("test_error_handling", {})
        assert error.is_error and error.content[0].text
        assert (await client.read_resource("test://static-binary")).contents[0].blob
        data = json.loads((await client.read_resource("test://template/123/data")).contents[0].text)
        assert data["id"] == "123"
        prompt = await client.get_prompt("test_prompt_with_arguments", {"arg1": "testValue1", "arg2": "testValue2"})
        assert "testValue1" in prompt.messages[0].content.text and "testValue2" in prompt.messages[0].content.text
        embedded = await client.get_prompt("test_prompt_with_embedded_resource", {"resourceUri": "test://x"})
        assert embedded.messages[0].content.type == "resource"
        completion = await client.complete(
            PromptReference(type="ref/prompt", name="test_prompt_with_arguments"), {"name": "arg1", "value": "test"}
        )
        assert isinstance(completion.completion.values, list) and completion.completion.values
        await client.session.subscribe_resource("test://watched-resource")
        await client.session.unsubscribe_resource("test://watched-resource")


async def test_server_to_client_requests_need_the_capability(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server(conformance=True)) as client:  # no sampling/elicitation callbacks declared
        for name, arguments in (("test_sampling", {"prompt": "hi"}), ("test_elicitation", {"message": "hi"})):
            result = await client.call_tool(name, arguments)
            assert result.is_error and "capability" in result.content[0].text


async def test_sampling_and_elicitation_round_trips(make_server: Callable[..., MCPServer]) -> None:
    requested: list[dict[str, Any]] = []

    async def sampling(context: Any, params: Any) -> CreateMessageResult:
        return CreateMessageResult(role="assistant", content=TextContent(type="text", text="canned"), model="test")

    async def elicitation(context: Any, params: Any) -> ElicitResult:
        requested.append(params.requested_schema)
        return ElicitResult(action="accept", content={"response": "yes"})

    async with connect(
        make_server(conformance=True), sampling_callback=sampling, elicitation_callback=elicitation
    ) as client:
        sampled = await client.call_tool("test_sampling", {"prompt": "hello"})
        assert sampled.content[0].text == "LLM response: canned"
        elicited = await client.call_tool("test_elicitation", {"message": "name?"})
        assert "action=accept" in elicited.content[0].text
        await client.call_tool("test_elicitation_sep1034_defaults", {})
        await client.call_tool("test_elicitation_sep1330_enums", {})
    defaults = requested[1]["properties"]
    assert defaults["name"]["default"] == "John Doe" and defaults["score"]["default"] == 95.5
    assert requested[2]["properties"]["legacyEnum"]["enumNames"] == ["Option One", "Option Two", "Option Three"]
