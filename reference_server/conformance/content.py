"""The official conformance suite's content fixtures: tools returning each content type, logging, progress, an
error, SSE reconnection, and the fixture resources and prompts."""

from __future__ import annotations

import base64
import json

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, UserMessage
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import (
    AudioContent,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    TextContent,
    TextResourceContents,
)

from reference_server.presentation.protocol import client_log
from reference_server.presentation.resources import Completions

PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
WAV_EMPTY = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="


def text_result(text: str) -> CallToolResult:
    """A tool result with one text block."""
    return CallToolResult(content=[TextContent(type="text", text=text)])


def register_content(mcp: MCPServer, completions: Completions) -> None:
    """The content tools, resources and prompts every protocol version shares."""

    @mcp.tool()
    def test_simple_text() -> CallToolResult:
        """Tests simple text content response."""
        return text_result("This is a simple text response for testing.")

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
        return text_result("Tool with logging executed successfully")

    @mcp.tool()
    async def test_tool_with_progress(ctx: Context) -> CallToolResult:
        """Tests tool that reports progress notifications."""
        for done in (0, 50, 100):
            await ctx.report_progress(done, 100, f"Completed step {done} of 100")
        return text_result("Progress reported: 0, 50, 100 of 100")

    @mcp.tool()
    def test_error_handling() -> CallToolResult:
        """Tests error response handling."""
        raise ToolError("This tool intentionally returns an error for testing")

    @mcp.tool()
    async def test_reconnection(ctx: Context) -> CallToolResult:
        """Tests SSE stream disconnection and client reconnection (SEP-1699)."""
        await ctx.close_sse_stream()
        return text_result("Reconnection test completed successfully.")

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
