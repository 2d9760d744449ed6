"""The official suite's 2026-07-28 (SEP-2575) diagnostic fixtures: a tool needing a capability, a streamed
elicitation, a logging tool, and hooks that change the tool and prompt lists while a listen stream is open."""

from __future__ import annotations

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, UserMessage
from mcp.types import CallToolResult, ToolAnnotations

from reference_server.conformance.content import text_result
from reference_server.conformance.interactive import RESPONSE_SCHEMA, Outcome, elicit, sample
from reference_server.presentation.changes import ChangeFeed
from reference_server.presentation.protocol import client_log

DYNAMIC_TOOL = "test_dynamic_tool"
DYNAMIC_PROMPT = "test_dynamic_prompt"
# The hooks add or remove a fixture other clients may be using: a change to the environment, announced to all.
MUTATES = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)


def _dynamic_tool() -> CallToolResult:
    """A tool that comes and goes with test_trigger_tool_change."""
    return text_result("The dynamic tool is here.")


def _dynamic_prompt() -> list[UserMessage]:
    """A prompt that comes and goes with test_trigger_prompt_change."""
    return [UserMessage("The dynamic prompt is here.")]


def register_stateless(mcp: MCPServer, changes: ChangeFeed) -> None:
    """``test_missing_capability``, ``test_streaming_elicitation``, ``test_logging_tool`` and the change hooks."""

    @mcp.tool()
    async def test_missing_capability(ctx: Context) -> Outcome:
        """Needs the sampling capability: -32021 naming it when the request did not declare it."""
        return await sample(ctx, "Say hello in one word")

    @mcp.tool()
    async def test_streaming_elicitation(ctx: Context) -> Outcome:
        """Asks the user something; at 2026-07-28 the request's stream carries only the input-required result."""
        return await elicit(ctx, "Anything to add?", RESPONSE_SCHEMA)

    @mcp.tool()
    async def test_logging_tool(ctx: Context) -> CallToolResult:
        """Logs three messages, delivered only at the level the request opted into (2026-07-28: _meta logLevel)."""
        for step in ("logging tool started", "logging tool working", "logging tool done"):
            await client_log(ctx, "info", step)
        return text_result("logged three messages")

    dynamic = {"tool": False, "prompt": False}

    @mcp.tool(annotations=MUTATES)
    async def test_trigger_tool_change() -> CallToolResult:
        """Adds or removes test_dynamic_tool and announces the tool-list change."""
        if dynamic["tool"]:
            mcp.remove_tool(DYNAMIC_TOOL)
        else:
            mcp.add_tool(_dynamic_tool, name=DYNAMIC_TOOL)
        dynamic["tool"] = not dynamic["tool"]
        await changes.tools_changed()
        return text_result(f"{DYNAMIC_TOOL} {'added' if dynamic['tool'] else 'removed'}")

    @mcp.tool(annotations=MUTATES)
    async def test_trigger_prompt_change() -> CallToolResult:
        """Adds or removes test_dynamic_prompt and announces the prompt-list change."""
        if dynamic["prompt"]:
            mcp.remove_prompt(DYNAMIC_PROMPT)
        else:
            mcp.prompt(name=DYNAMIC_PROMPT)(_dynamic_prompt)
        dynamic["prompt"] = not dynamic["prompt"]
        await changes.prompts_changed()
        return text_result(f"{DYNAMIC_PROMPT} {'added' if dynamic['prompt'] else 'removed'}")
