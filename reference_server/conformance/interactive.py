"""The official suite's sampling and elicitation fixtures, in both eras: a server-to-client request on the handshake
era (only when the client declared the capability), an input-required result at 2026-07-28 (-32021 without it)."""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.message import ServerMessageMetadata
from mcp.types import (
    CallToolResult,
    ClientCapabilities,
    CreateMessageResult,
    ElicitationCapability,
    ElicitResult,
    InputRequiredResult,
    SamplingCapability,
)

from reference_server.conformance.content import text_result
from reference_server.presentation import mrtr
from reference_server.presentation.protocol import is_modern

ANSWER_KEY = "answer"
Outcome = CallToolResult | InputRequiredResult
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
RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {"response": {"type": "string", "description": "User's response"}},
    "required": ["response"],
}


def _require_legacy(ctx: Context, capability: ClientCapabilities, what: str) -> None:
    """Handshake era: refuse (as a tool error) unless the client declared the capability in ``initialize``."""
    if not ctx.session.check_client_capability(capability):
        raise ToolError(f"the client did not declare the capability {what} needs; declare it in initialize")


async def elicit(ctx: Context, message: str, schema: dict[str, Any]) -> Outcome:
    """Ask the user through a form and report the answer."""
    if is_modern(ctx.request_context):
        response = mrtr.answer(ctx, ANSWER_KEY)
        if not isinstance(response, ElicitResult):
            return mrtr.ask(ctx, {ANSWER_KEY: mrtr.elicitation(message, schema)}, what="this tool")
    else:
        _require_legacy(ctx, ClientCapabilities(elicitation=ElicitationCapability()), "elicitation")
        response = await ctx.session.elicit_form(message, schema, related_request_id=ctx.request_context.request_id)
    return text_result(f"Elicitation completed: action={response.action}, content={response.content or {}}")


async def sample(ctx: Context, prompt: str) -> Outcome:
    """Ask the client's model and report its answer."""
    if is_modern(ctx.request_context):
        text = mrtr.sampled_text(ctx, ANSWER_KEY)
        if text is None:
            return mrtr.ask(ctx, {ANSWER_KEY: mrtr.sampling(prompt, 100)}, what="this tool")
    else:
        _require_legacy(ctx, ClientCapabilities(sampling=SamplingCapability()), "sampling")
        request = mrtr.sampling(prompt, 100)
        metadata = ServerMessageMetadata(related_request_id=ctx.request_context.request_id)
        result = await ctx.session.send_request(request, CreateMessageResult, metadata=metadata)
        text = getattr(result.content, "text", None)
    return text_result(f"LLM response: {text or 'No response'}")


def register_interactive(mcp: MCPServer) -> None:
    """``test_sampling``, ``test_elicitation``, ``test_elicitation_sep1034_defaults``, ``..._sep1330_enums``."""

    @mcp.tool()
    async def test_sampling(prompt: str, ctx: Context) -> Outcome:
        """Tests server-initiated sampling (LLM completion request)."""
        return await sample(ctx, prompt)

    @mcp.tool()
    async def test_elicitation(message: str, ctx: Context) -> Outcome:
        """Tests server-initiated elicitation (user input request)."""
        return await elicit(ctx, message, RESPONSE_SCHEMA)

    @mcp.tool()
    async def test_elicitation_sep1034_defaults(ctx: Context) -> Outcome:
        """Tests elicitation with default values per SEP-1034."""
        return await elicit(ctx, "Please review and update the form fields with defaults", SEP1034_SCHEMA)

    @mcp.tool()
    async def test_elicitation_sep1330_enums(ctx: Context) -> Outcome:
        """Tests elicitation with enum schema improvements per SEP-1330."""
        return await elicit(ctx, "Please select options from the enum fields", SEP1330_SCHEMA)
