"""The official conformance suite's fixtures (``conformance: true``), exercised in memory with the SDK client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from _refsrv_helpers import all_tools, text_of
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CreateMessageResult, ElicitResult, PromptReference, TextContent

from mcptest import Session
from reference_server.config import ServerConfig
from reference_server.server import build_server

# resources/subscribe and sampling are handshake-era features the SDK flags as deprecated at 2026-07-28.
pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")
Connect = Callable[..., Session]


def fixture_server(conformance: bool = True) -> MCPServer:
    """A server with (or without) the conformance fixtures, on its embedded in-memory SQLite."""
    return build_server(ServerConfig(conformance=conformance, log_level="WARNING"))


def test_absent_without_the_flag(mcp_connect: Connect) -> None:
    assert not [t for t in all_tools(mcp_connect(fixture_server(conformance=False))) if t.name.startswith("test_")]


def test_content_tools_resources_and_prompts(mcp_connect: Connect) -> None:
    session = mcp_connect(fixture_server())
    tools = {t.name: t for t in all_tools(session)}
    schema = tools["json_schema_2020_12_tool"].input_schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "address" in schema["$defs"] and schema["additionalProperties"] is False
    mixed = session.call_tool("test_multiple_content_types", {})
    assert [c.type for c in mixed.content] == ["text", "image", "resource"]
    assert session.call_tool("test_audio_content", {}).content[0].mime_type == "audio/wav"
    error = session.call_tool("test_error_handling", {})
    assert error.is_error and text_of(error)
    assert session.read_resource("test://static-binary").contents[0].blob
    data = json.loads(session.read_resource("test://template/123/data").contents[0].text)
    assert data["id"] == "123"
    prompt = session.get_prompt("test_prompt_with_arguments", {"arg1": "testValue1", "arg2": "testValue2"})
    assert "testValue1" in prompt.messages[0].content.text and "testValue2" in prompt.messages[0].content.text
    embedded = session.get_prompt("test_prompt_with_embedded_resource", {"resourceUri": "test://x"})
    assert embedded.messages[0].content.type == "resource"
    completion = session.complete(
        PromptReference(type="ref/prompt", name="test_prompt_with_arguments"), {"name": "arg1", "value": "test"}
    )
    assert isinstance(completion.completion.values, list) and completion.completion.values
    session.call(session.client.session.subscribe_resource, "test://watched-resource")
    session.call(session.client.session.unsubscribe_resource, "test://watched-resource")


def test_the_2020_12_schema_is_listed_whole_and_enforced(mcp_connect: Connect) -> None:
    session = mcp_connect(fixture_server())
    schema = {t.name: t for t in all_tools(session)}["json_schema_2020_12_tool"].input_schema
    assert schema["$defs"]["address"]["$anchor"] == "addressDef" and schema["allOf"] and schema["if"]
    assert schema["then"] == {"required": ["phone"]} and schema["else"] == {"required": ["email"]}
    extra = session.call_tool("json_schema_2020_12_tool", {"email": "a@example.com", "zzz": "x"})
    assert extra.is_error and "zzz" in text_of(extra)  # additionalProperties: false (TOOL-10, FUZZ-02)
    assert session.call_tool("json_schema_2020_12_tool", {}).is_error  # allOf: a phone or an email is required
    wrong = session.call_tool("json_schema_2020_12_tool", {"contactMethod": "phone", "email": "a@example.com"})
    assert wrong.is_error and "phone" in text_of(wrong)  # if contactMethod is phone, then phone is required
    valid = session.call_tool("json_schema_2020_12_tool", {"contactMethod": "phone", "phone": "+1 555 0100"})
    assert not valid.is_error and "+1 555 0100" in text_of(valid)


def test_handshake_era_fixtures_of_the_2026_scenarios_degrade_to_tool_errors(mcp_connect: Connect) -> None:
    session = mcp_connect(fixture_server())  # input-required results and tasks exist only at 2026-07-28
    for name in ("test_input_required_result_elicitation", "failing_job", "confirm_delete"):
        arguments = {"filename": "x"} if name == "confirm_delete" else {}
        result = session.call_tool(name, arguments)
        assert result.is_error and "2026-07-28" in text_of(result), name
    assert text_of(session.call_tool("greet", {"name": "Ada"})) == "Hello, Ada!"
    quick = session.call_tool("slow_compute", {"seconds": 0, "label": "now"})
    assert not quick.is_error and "now" in text_of(quick)
    long = session.call_tool("slow_compute", {"seconds": 30})
    assert long.is_error and "task" in text_of(long)  # longer than the synchronous limit: a task is needed
    prompt = session.get_prompt("test_input_required_result_prompt", {})
    assert "2026-07-28" in prompt.messages[0].content.text


def test_server_to_client_requests_need_the_capability(mcp_connect: Connect) -> None:
    session = mcp_connect(fixture_server())  # no sampling/elicitation callbacks: those capabilities are absent
    for name, arguments in (("test_sampling", {"prompt": "hi"}), ("test_elicitation", {"message": "hi"})):
        result = session.call_tool(name, arguments)
        assert result.is_error and "capability" in text_of(result)


@pytest.mark.anyio
async def test_sampling_and_elicitation_round_trips() -> None:
    requested: list[dict[str, Any]] = []

    async def sampling(context: Any, params: Any) -> CreateMessageResult:
        return CreateMessageResult(role="assistant", content=TextContent(type="text", text="canned"), model="test")

    async def elicitation(context: Any, params: Any) -> ElicitResult:
        requested.append(params.requested_schema)
        return ElicitResult(action="accept", content={"response": "yes"})

    async with Client(  # mcp_connect takes no client callbacks: the SDK client declares them
        fixture_server(), mode="legacy", cache=None, sampling_callback=sampling, elicitation_callback=elicitation
    ) as client:
        sampled = await client.call_tool("test_sampling", {"prompt": "hello"})
        assert text_of(sampled) == "LLM response: canned"
        elicited = await client.call_tool("test_elicitation", {"message": "name?"})
        assert "action=accept" in text_of(elicited)
        await client.call_tool("test_elicitation_sep1034_defaults", {})
        await client.call_tool("test_elicitation_sep1330_enums", {})
    defaults = requested[1]["properties"]
    assert defaults["name"]["default"] == "John Doe" and defaults["score"]["default"] == 95.5
    assert requested[2]["properties"]["legacyEnum"]["enumNames"] == ["Option One", "Option Two", "Option Three"]
