"""Call tools once per run and remember what happened, so several checks can judge one call."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from mcptest.checks.base import CheckContext
from mcptest.checks.examples import busy_arguments, example_arguments
from mcptest.findings import NotApplicable, Violation
from mcptest.wire import Reply, RequestTimeout
from mcptest.wire.base import dumps


@dataclass
class ToolCall:
    """One ``tools/call`` and its outcome."""

    tool: dict[str, Any]
    arguments: dict[str, Any]
    reply: Reply
    seconds: float

    @property
    def name(self) -> str:
        return str(self.tool.get("name"))

    @property
    def result(self) -> dict[str, Any] | None:
        return self.reply.result if self.reply.ok and isinstance(self.reply.result, dict) else None

    @property
    def is_error(self) -> bool:
        return bool(self.result and self.result.get("isError") is True)

    def reproduce(self, ctx: CheckContext) -> str:
        """A ``mcptest call`` line that repeats this call by hand."""
        return call_line(ctx, self.name, self.arguments)


def call_line(ctx: CheckContext, tool: str, arguments: Any) -> str:
    """The ``mcptest call TARGET TOOL 'JSON'`` line for a call."""
    import shlex

    parts = ["mcptest", "call", shlex.quote(ctx.handle.target.raw)]
    if ctx.handle.target.launch:
        parts.append(f"--launch {shlex.quote(ctx.handle.target.launch_text)}")
    parts += [shlex.quote(tool), shlex.quote(json.dumps(arguments, separators=(",", ":")))]  # ASCII: safe to paste
    return " ".join(parts)


def callable_tool(ctx: CheckContext, tool: dict[str, Any]) -> dict[str, Any]:
    """The example arguments for ``tool``, or NotApplicable when the suite must not call it."""
    blocked = ctx.tool_call_blocked(tool)
    if blocked:
        raise NotApplicable(blocked)
    return example_arguments(tool.get("inputSchema"))


def call_tool(ctx: CheckContext, tool: dict[str, Any], arguments: Any, *, meta: dict[str, Any] | None = None) -> ToolCall:
    """Call ``tool`` on the shared wire with ``arguments``."""
    params: dict[str, Any] = {"name": tool.get("name"), "arguments": arguments}
    if meta:
        params["_meta"] = meta
    started = time.monotonic()
    reply = ctx.wire().request("tools/call", params)
    return ToolCall(tool, arguments if isinstance(arguments, dict) else {}, reply, time.monotonic() - started)


def exercise(ctx: CheckContext, tool: dict[str, Any], *, report: bool = False) -> ToolCall:
    """Call ``tool`` once with example arguments and no progress token (cached for the run).

    An unanswered call is TOOL-05's finding: ``report=True`` (TOOL-05) raises it; any other check that
    needs the call is not applicable instead, so one hang is reported once, under its own check.
    """
    cache: dict[str, ToolCall | Violation] = ctx.tool_calls
    name = str(tool.get("name"))
    if name not in cache:
        arguments = callable_tool(ctx, tool)
        try:
            cache[name] = call_tool(ctx, tool, arguments)
        except RequestTimeout as exc:
            cache[name] = ctx.violation(
                "TOOL-05",
                f"a tools/call result within {ctx.timeout:g} s",
                f"no answer: {exc}",
                wire=ctx.wire(),
                sent={"name": name, "arguments": arguments},
            )
            ctx.reset_wire()  # a request may still be pending there: later checks start clean
    cached = cache[name]
    if isinstance(cached, Violation):
        if report:
            raise cached
        raise NotApplicable(f"the example call of {name!r} went unanswered (reported by TOOL-05)")
    return cached


BUSY_TOKEN = 7001


def busy_call(ctx: CheckContext, tool: dict[str, Any]) -> ToolCall:
    """Call ``tool`` once with ``busy_arguments`` and an integer progress token (cached for the run)."""
    cache: dict[str, ToolCall | str] = ctx.busy_calls
    name = str(tool.get("name"))
    if name not in cache:
        callable_tool(ctx, tool)
        arguments = busy_arguments(tool.get("inputSchema"))
        try:
            cache[name] = call_tool(ctx, tool, arguments, meta={"progressToken": BUSY_TOKEN})
        except RequestTimeout:
            cache[name] = f"the call of {name!r} with {dumps(arguments)} went unanswered within {ctx.timeout:g} s"
    cached = cache[name]
    if isinstance(cached, str):
        raise NotApplicable(cached)
    return cached


def slow_call(ctx: CheckContext, at_least: float) -> ToolCall | None:
    """A successful busy call of some safe tool that took ``at_least`` seconds, or None."""
    for tool in safe_tools(ctx):
        try:
            call = busy_call(ctx, tool)
        except (NotApplicable, RequestTimeout):
            continue
        if call.seconds >= at_least and call.reply.ok:
            return call
    return None


def safe_tools(ctx: CheckContext) -> list[dict[str, Any]]:
    """The discovered tools the suite may call."""
    return [t for t in ctx.surface.items("tools") if ctx.tool_call_blocked(t) is None]
