"""Call tools once per version and remember what happened, so several checks can judge one call."""

from __future__ import annotations

import itertools
import json
import shlex
from dataclasses import dataclass
from typing import Any

from mcptest.checks.base import CheckContext
from mcptest.checks.examples import busy_arguments, example_arguments
from mcptest.findings import NotApplicable
from mcptest.wire import Reply, RequestTimeout
from mcptest.wire.base import dumps


@dataclass
class ToolCall:
    """One ``tools/call`` and its outcome."""

    tool: dict[str, Any]
    arguments: dict[str, Any]
    reply: Reply

    @property
    def name(self) -> str:
        return str(self.tool.get("name"))

    @property
    def seconds(self) -> float:
        return self.reply.seconds

    @property
    def result(self) -> dict[str, Any] | None:
        return self.reply.result if self.reply.ok and isinstance(self.reply.result, dict) else None

    @property
    def is_error(self) -> bool:
        return bool(self.result and self.result.get("isError") is True)

    @property
    def interim(self) -> bool:
        """True when a 2026-07-28 server needs client input first (see ``needs_input``)."""
        return needs_input(self.reply)

    def params(self) -> dict[str, Any]:
        """The call's name and arguments, to send it again (a new request gets a progress token of its own)."""
        return {"name": self.name, "arguments": self.arguments}

    def reproduce(self, ctx: CheckContext) -> str:
        """A ``mcptest call`` line that repeats this call by hand."""
        return call_line(ctx, self.name, self.arguments)


def needs_input(reply: Reply) -> bool:
    """True for a 2026-07-28 answer that asks the client for input instead of a tool result: an InputRequiredResult,
    or MissingRequiredClientCapabilityError (-32021) for a capability the request did not declare (MOD-10..23)."""
    result = reply.result
    return reply.error_code == -32021 or (isinstance(result, dict) and result.get("resultType") == "input_required")


def call_line(ctx: CheckContext, tool: str, arguments: Any) -> str:
    """The ``mcptest call TARGET TOOL 'JSON'`` line for a call."""
    parts = ["mcptest", "call", shlex.quote(ctx.handle.target.raw)]
    if ctx.handle.target.launch:
        parts.append(f"--launch {shlex.quote(ctx.handle.target.launch_text)}")
    if ctx.version:
        parts.append(f"--protocol {ctx.version}")
    parts += [shlex.quote(tool), shlex.quote(json.dumps(arguments, separators=(",", ":")))]  # ASCII: safe to paste
    return " ".join(parts)


def callable_tool(ctx: CheckContext, tool: dict[str, Any]) -> dict[str, Any]:
    """The example arguments for ``tool``, or NotApplicable when the suite must not call it."""
    blocked = ctx.tool_call_blocked(tool)
    if blocked:
        raise NotApplicable(blocked)
    return example_arguments(tool.get("inputSchema"))


def call_tool(ctx: CheckContext, tool: dict[str, Any], arguments: Any, *, meta: dict[str, Any] | None = None) -> ToolCall:
    """Call ``tool`` on the shared wire with ``arguments`` (progress notifications extend the deadline)."""
    params: dict[str, Any] = {"name": tool.get("name"), "arguments": arguments}
    reply = ctx.wire().request("tools/call", params, meta=meta)
    return ToolCall(tool, arguments if isinstance(arguments, dict) else {}, reply)


def exercise(ctx: CheckContext, tool: dict[str, Any], *, report: bool = False) -> ToolCall:
    """Call ``tool`` once with example arguments (cached for the version, whoever asks first).

    An unanswered call is TOOL-05's finding: ``report=True`` (TOOL-05) lets its RequestTimeout through to the
    runner, which confirms it alone before reporting it; any other check that needs the call is not applicable.
    """
    name = str(tool.get("name"))

    def call() -> ToolCall | RequestTimeout:
        arguments = callable_tool(ctx, tool)
        try:
            return call_tool(ctx, tool, arguments)
        except RequestTimeout as exc:
            return exc

    cached = ctx.memo(("exercise", name), call)
    if isinstance(cached, RequestTimeout):
        if report:
            raise cached
        raise NotApplicable(f"the example call of {name!r} went unanswered (reported by TOOL-05)")
    return cached


_BUSY_TOKENS = itertools.count(7001)
"""Integer progress tokens for busy calls, unique within a run (PROG-01 checks the type is kept)."""


def busy_call(ctx: CheckContext, tool: dict[str, Any]) -> ToolCall:
    """Call ``tool`` once with ``busy_arguments`` and an integer progress token (cached for the version)."""
    name = str(tool.get("name"))

    def call() -> ToolCall | str:
        callable_tool(ctx, tool)
        arguments = busy_arguments(tool.get("inputSchema"))
        try:
            return call_tool(ctx, tool, arguments, meta={"progressToken": next(_BUSY_TOKENS)})
        except RequestTimeout:
            return f"the call of {name!r} with {dumps(arguments)} went unanswered within {ctx.timeout:g} s"

    cached = ctx.memo(("busy", name), call)
    if isinstance(cached, str):
        raise NotApplicable(cached)
    return cached


def slow_call(ctx: CheckContext, at_least: float) -> ToolCall | None:
    """A successful busy call of a safe tool that took ``at_least`` seconds, or None (cached for the version).

    Tools slow by design (``busy_arguments`` found a delay or count to raise) come first, then the slowest:
    under load (concurrent checks, a busy machine) a quick tool can take ``at_least`` once, and a check that
    needs a call still running when its next request is answered must not pick it over a slow one.
    """

    def find() -> ToolCall | None:
        calls = []
        for tool in safe_tools(ctx):
            try:
                call = busy_call(ctx, tool)
            except NotApplicable:
                continue
            if call.seconds >= at_least and call.reply.ok:
                calls.append(call)
        return max(calls, key=lambda call: (_has_knob(call), call.seconds), default=None)

    return ctx.memo(("slow", at_least), find)


def _has_knob(call: ToolCall) -> bool:
    """True when the call's arguments ask for more work than the tool's plain example (a delay, a count)."""
    try:
        return call.arguments != example_arguments(call.tool.get("inputSchema"))
    except NotApplicable:
        return False


def safe_tools(ctx: CheckContext) -> list[dict[str, Any]]:
    """The discovered tools the suite may call."""
    return [t for t in ctx.surface.items("tools") if ctx.tool_call_blocked(t) is None]
