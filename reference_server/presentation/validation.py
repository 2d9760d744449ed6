"""``tools/call`` arguments checked against the tool's advertised ``inputSchema`` (JSON Schema 2020-12 unless the
schema names another dialect), so what a hand-written schema says (``additionalProperties: false``, ``allOf``,
``if``/``then``/``else``) is enforced even where MCPServer's generated argument model cannot express it."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import mcp.types as types
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from mcp.server import MCPServer
from mcp.server.context import HandlerResult, ServerRequestContext

MAX_REPORTED = 5


class ArgumentValidator:
    """Validates ``tools/call`` arguments; one compiled validator per distinct schema."""

    def __init__(self, tool: Callable[[str], Awaitable[types.Tool | None]]) -> None:
        self._tool = tool
        self._validators: dict[str, Validator] = {}
        self._by_tool: dict[str, tuple[types.Tool, Validator]] = {}  # the last description seen per tool name

    async def problems(self, name: str, arguments: dict[str, Any]) -> list[str]:
        """What is wrong with ``arguments`` for tool ``name`` (empty when valid or the tool is unknown)."""
        tool = await self._tool(name)
        if tool is None:
            return []
        seen = self._by_tool.get(name)
        if seen is None or seen[0] is not tool:  # a description built afresh (the tool set changed)
            seen = self._by_tool[name] = (tool, self._validator(tool.input_schema))
        validator = seen[1]
        errors = sorted(validator.iter_errors(arguments), key=lambda e: (list(e.absolute_path), e.message))
        return [f"{'/'.join(map(str, e.absolute_path)) or '(arguments)'}: {e.message}" for e in errors]

    def _validator(self, schema: dict[str, Any]) -> Validator:
        key = json.dumps(schema, sort_keys=True, default=str)
        if key not in self._validators:
            cls = validator_for(schema, default=Draft202012Validator)
            self._validators[key] = cls(schema)
        return self._validators[key]

    def install(self, mcp: MCPServer) -> None:
        """Wrap the registered ``tools/call`` handler: invalid arguments get an ``isError`` result naming every
        problem, before the tool (or a task) runs.

        A tool-execution error (not -32602) is what 2025-11-25 and later ask for, so a model can correct itself.
        Wrapping the handler rather than adding middleware keeps the result inside the SDK's result pipeline
        (``resultType``, the 2026-07-28 ``serverInfo`` stamp).
        """
        server = mcp._lowlevel_server  # no public accessor in mcp 2.3.0
        entry = server.get_request_handler("tools/call")
        if entry is None:
            raise RuntimeError("install argument validation after the tools/call handler is registered")
        inner = entry.handler

        async def handler(ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams) -> HandlerResult:
            problems = await self.problems(params.name, dict(params.arguments or {}))
            if not problems:
                return await inner(ctx, params)
            shown = "; ".join(problems[:MAX_REPORTED])
            more = f" (and {len(problems) - MAX_REPORTED} more)" if len(problems) > MAX_REPORTED else ""
            text = f"Invalid arguments for tool {params.name}: {shown}{more}. Fix them to match its inputSchema."
            return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)

        server.add_request_handler("tools/call", entry.params_type, handler)
