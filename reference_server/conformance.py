"""Fixtures the official ``@modelcontextprotocol/conformance`` suite calls by name (enabled by ``conformance: true``).

Server-to-client requests (sampling, elicitation) are only sent when the client declared the capability and the
connection is on the handshake era; otherwise the tool answers with an error result instead.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, UserMessage
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.shared.message import ServerMessageMetadata
from mcp.types import (
    AudioContent,
    CallToolResult,
    ClientCapabilities,
    CreateMessageRequest,
    CreateMessageRequestParams,
    CreateMessageResult,
    ElicitationCapability,
    EmbeddedResource,
    ImageContent,
    SamplingCapability,
    SamplingMessage,
    TextContent,
    TextResourceContents,
)

from reference_server.presentation.protocol import client_log, is_modern
from reference_server.presentation.resources import Completions

PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
WAV_EMPTY = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="
JSON_SCHEMA_2020_12 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
    "additionalProperties": False,
}
SEP1034_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "User name", "default": "John Doe"},
        "age": {"type": "integer", "description": "User age", "default": 30},
        "score": {"type": "number", "description": "User score", "default": 95.5},
        "status": {
            "type": "string",
            "description": "User status",
            "enum": ["active", "inactive", "pending"],
            "default": "active",
        },
        "verified": {"type": "boolean", "description": "Verification status", "default": True},
    },
    "required": [],
}
_CHOICES = ["value1", "value2", "value3"]
SEP1330_SCHEMA = {
    "type": "object",
    "properties": {
        "untitledSingle": {
            "type": "string",
            "description": "Select one option",
            "enum": ["option1", "option2", "option3"],
        },
        "titledSingle": {
            "type": "string",
            "description": "Select one option with titles",
            "oneOf": [{"const": v, "title": f"Option {v[-1]}"} for v in _CHOICES],
        },
        "legacyEnum": {
            "type": "string",
            "description": "Select one option (legacy)",
            "enum": ["opt1", "opt2", "opt3"],
            "enumNames": ["Option One", "Option Two", "Option Three"],
        },
        "untitledMulti": {
            "type": "array",
            "description": "Select multiple options",
            "minItems": 1,
            "maxItems": 3,
            "items": {"type": "string", "enum": ["option1", "option2", "option3"]},
        },
        "titledMulti": {
            "type": "array",
            "description": "Select multiple options with titles",
            "minItems": 1,
            "maxItems": 3,
            "items": {"anyOf": [{"const": v, "title": f"Choice {v[-1]}"} for v in _CHOICES]},
        },
    },
    "required": [],
}


def _text(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)])


def _require(ctx: Context, capability: ClientCapabilities, what: str) -> None:
    """Refuse (as a tool error) unless the client can receive this server-to-client request."""
    if is_modern(ctx.request_context):
        raise ToolError(
            f"{what} needs a server-to-client request, which the 2026-07-28 era does not have; "
            "connect with the initialize handshake"
        )
    if not ctx.session.check_client_capability(capability):
        raise ToolError(f"the client did not declare the capability {what} needs; declare it in initialize")


async def _elicit(ctx: Context, message: str, schema: dict[str, Any]) -> CallToolResult:
    _require(ctx, ClientCapabilities(elicitation=ElicitationCapability()), "elicitation")
    result = await ctx.session.elicit_form(message, schema, related_request_id=ctx.request_context.request_id)
    return _text(f"Elicitation completed: action={result.action}, content={result.content or {}}")


def json_schema_tool() -> Tool:
    """``json_schema_2020_12_tool``, listed with its raw 2020-12 input schema ($schema, $defs, additionalProperties)."""

    def json_schema_2020_12_tool(name: str | None = None, address: dict[str, str] | None = None) -> CallToolResult:
        """Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)."""
        return _text(f"JSON Schema 2020-12 tool called with: name={name!r}, address={address!r}")

    tool = Tool.from_function(json_schema_2020_12_tool)
    return tool.model_copy(update={"parameters": JSON_SCHEMA_2020_12})


def register_conformance(mcp: MCPServer, completions: Completions) -> None:
    """Register the fixture tools, resources and prompts (the JSON-schema tool comes from ``json_schema_tool``)."""

    @mcp.tool()
    def test_simple_text() -> CallToolResult:
        """Tests simple text content response."""
        return _text("This is a simple text response for testing.")

    @mcp.tool()
    def test_image_content() -> CallToolResult:
        """Tests image content response."""
        return CallToolResult(content=[ImageContent(type="image", data=PNG_1X1, mime_type="image/png")])

    @mcp.tool()
    def test_audio_content() -> CallToolResult:
        """Tests audio content response."""
        return CallToolResult(content=[AudioContent(type="audio", data=WAV_EMPTY, mime_type="audio/wav")])

    embedded = EmbeddedResource(
        type="resource",
        resource=TextResourceContents(
            uri="test://embedded-resource", mime_type="text/plain", text="This is an embedded resource content."
        ),
    )

    @mcp.tool()
    def test_embedded_resource() -> CallToolResult:
        """Tests embedded resource content response."""
        return CallToolResult(content=[embedded])

    @mcp.tool()
    def test_multiple_content_types() -> CallToolResult:
        """Tests response with multiple content types (text, image, resource)."""
        return CallToolResult(
            content=[
                TextContent(type="text", text="Multiple content types test:"),
                ImageContent(type="image", data=PNG_1X1, mime_type="image/png"),
                EmbeddedResource(
                    type="resource",
                    resource=TextResourceContents(
                        uri="test://mixed-content-resource",
                        mime_type="application/json",
                        text='{"test": "data", "value": 123}',
                    ),
                ),
            ]
        )

    @mcp.tool()
    async def test_tool_with_logging(ctx: Context) -> CallToolResult:
        """Tests tool that emits log messages during execution."""
        for step in ("Tool execution started", "Tool processing data", "Tool execution completed"):
            await client_log(ctx, "info", step)
        return _text("Tool with logging executed successfully")

    @mcp.tool()
    async def test_tool_with_progress(ctx: Context) -> CallToolResult:
        """Tests tool that reports progress notifications."""
        for done in (0, 50, 100):
            await ctx.report_progress(done, 100, f"Completed step {done} of 100")
        return _text("Progress reported: 0, 50, 100 of 100")

    @mcp.tool()
    def test_error_handling() -> CallToolResult:
        """Tests error response handling."""
        raise ToolError("This tool intentionally returns an error for testing")

    @mcp.tool()
    async def test_reconnection(ctx: Context) -> CallToolResult:
        """Tests SSE stream disconnection and client reconnection (SEP-1699)."""
        await ctx.close_sse_stream()
        return _text("Reconnection test completed successfully.")

    @mcp.tool()
    async def test_sampling(prompt: str, ctx: Context) -> CallToolResult:
        """Tests server-initiated sampling (LLM completion request)."""
        _require(ctx, ClientCapabilities(sampling=SamplingCapability()), "sampling")
        request = CreateMessageRequest(
            params=CreateMessageRequestParams(
                messages=[SamplingMessage(role="user", content=TextContent(type="text", text=prompt))], max_tokens=100
            )
        )
        result = await ctx.session.send_request(
            request,
            CreateMessageResult,
            metadata=ServerMessageMetadata(related_request_id=ctx.request_context.request_id),
        )
        content = result.content
        return _text(f"LLM response: {getattr(content, 'text', None) or 'No response'}")

    @mcp.tool()
    async def test_elicitation(message: str, ctx: Context) -> CallToolResult:
        """Tests server-initiated elicitation (user input request)."""
        schema = {
            "type": "object",
            "properties": {"response": {"type": "string", "description": "User's response"}},
            "required": ["response"],
        }
        return await _elicit(ctx, message, schema)

    @mcp.tool()
    async def test_elicitation_sep1034_defaults(ctx: Context) -> CallToolResult:
        """Tests elicitation with default values per SEP-1034."""
        return await _elicit(ctx, "Please review and update the form fields with defaults", SEP1034_SCHEMA)

    @mcp.tool()
    async def test_elicitation_sep1330_enums(ctx: Context) -> CallToolResult:
        """Tests elicitation with enum schema improvements per SEP-1330."""
        return await _elicit(ctx, "Please select options from the enum fields", SEP1330_SCHEMA)

    _register_resources_and_prompts(mcp, completions)


def _register_resources_and_prompts(mcp: MCPServer, completions: Completions) -> None:
    @mcp.resource("test://static-text", name="static-text", title="Static Text Resource", mime_type="text/plain")
    def static_text() -> str:
        """A static text resource for testing."""
        return "This is the content of the static text resource."

    @mcp.resource("test://static-binary", name="static-binary", title="Static Binary Resource", mime_type="image/png")
    def static_binary() -> bytes:
        """A static binary resource (image) for testing."""
        return base64.b64decode(PNG_1X1)

    @mcp.resource("test://template/{id}/data", name="template", title="Resource Template", mime_type="application/json")
    def template(id: str) -> str:
        """A resource template with parameter substitution."""
        return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})

    @mcp.resource("test://watched-resource", name="watched-resource", title="Watched Resource", mime_type="text/plain")
    def watched() -> str:
        """A resource clients may subscribe to."""
        return "Watched resource content"

    @mcp.prompt(title="Simple Test Prompt")
    def test_simple_prompt() -> list[UserMessage]:
        """A simple prompt without arguments."""
        return [UserMessage("This is a simple prompt for testing.")]

    @mcp.prompt(title="Prompt With Arguments")
    def test_prompt_with_arguments(arg1: str, arg2: str) -> list[UserMessage]:
        """A prompt with required arguments."""
        return [UserMessage(f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")]

    @mcp.prompt(title="Prompt With Embedded Resource")
    def test_prompt_with_embedded_resource(resourceUri: str) -> list[UserMessage]:
        """A prompt that includes an embedded resource."""
        resource = TextResourceContents(
            uri=resourceUri, mime_type="text/plain", text="Embedded resource content for testing."
        )
        return [
            UserMessage(EmbeddedResource(type="resource", resource=resource)),
            UserMessage("Please process the embedded resource above."),
        ]

    @mcp.prompt(title="Prompt With Image")
    def test_prompt_with_image() -> list[UserMessage]:
        """A prompt that includes image content."""
        return [
            UserMessage(ImageContent(type="image", data=PNG_1X1, mime_type="image/png")),
            UserMessage("Please analyze the image above."),
        ]

    completions.add_choices("test_prompt_with_arguments", "arg1", ("test-value-1", "test-value-2", "testing"))
    completions.add_choices("test_prompt_with_arguments", "arg2", ("alpha", "beta"))
    completions.add_choices("test://template/{id}/data", "id", ("1", "2", "123"))
