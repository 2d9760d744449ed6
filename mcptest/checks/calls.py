"""Call tools once per version and remember what happened, so several checks can judge one call."""

from __future__ import annotations

import itertools
import json
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcptest.checks.base import CheckContext
from mcptest.checks.examples import busy_arguments, example_arguments
from mcptest.findings import NotApplicable
from mcptest.wire import Reply, RequestTimeout, Wire
from mcptest.wire.base import Call, WireError, dumps
from mcptest.wire.http import HTTP_STATUS_KEY


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
    """The example arguments for ``tool``, or NotApplicable when the suite must not call it plainly."""
    blocked = ctx.tool_call_blocked(tool) or needs_task(ctx, tool)
    if blocked:
        raise NotApplicable(blocked)
    return example_arguments(tool.get("inputSchema"))


def task_support(tool: dict[str, Any]) -> str:
    """The tool's ``execution.taskSupport`` (``forbidden`` when absent, the spec's default)."""
    execution = tool.get("execution")
    value = execution.get("taskSupport") if isinstance(execution, dict) else None
    return value if isinstance(value, str) else "forbidden"


def tasks_for_tool_calls(ctx: CheckContext) -> bool:
    """True when the server declares ``tasks.requests.tools.call`` (task-augmented tool calls)."""
    tasks = ctx.surface.capabilities.get("tasks")
    requests = tasks.get("requests") if isinstance(tasks, dict) else None
    tools = requests.get("tools") if isinstance(requests, dict) else None
    return isinstance(tools, dict) and isinstance(tools.get("call"), dict)


def needs_task(ctx: CheckContext, tool: dict[str, Any]) -> str | None:
    """Why ``tool`` cannot be called plainly (it requires task augmentation), or None."""
    if tasks_for_tool_calls(ctx) and task_support(tool) == "required":
        return (f"tool {tool.get('name')!r} requires task-augmented calls (execution.taskSupport: required); "
                "a plain call of it is CAP-06's probe")
    return None


def call_tool(ctx: CheckContext, tool: dict[str, Any], arguments: Any, *,
              meta: dict[str, Any] | None = None) -> ToolCall:
    """Call ``tool`` on the shared wire with ``arguments`` (progress notifications extend the deadline)."""
    params: dict[str, Any] = {"name": tool.get("name"), "arguments": arguments}
    reply = ctx.wire().request("tools/call", params, meta=meta)
    return ToolCall(tool, arguments if isinstance(arguments, dict) else {}, reply)


NO_RESPONSE = "with no JSON-RPC response"
"""How the HTTP wire words an answer whose body or stream carried no response to the request."""


def unanswered(reply: Reply) -> tuple[str, str] | None:
    """("missing", why) when an HTTP answer (e.g. an SSE stream) ended without the response to ``reply``'s
    request, or None for a real response, result or error."""
    error = reply.error or {}
    if reply.response.get(HTTP_STATUS_KEY) is not None and NO_RESPONSE in str(error.get("message", "")):
        return "missing", f"{error.get('message')} (HTTP-06 judges SSE streams that end without their response)"
    return None


def exercise(ctx: CheckContext, tool: dict[str, Any], *, report: bool = False) -> ToolCall:
    """Call ``tool`` once with example arguments (cached for the version, whoever asks first).

    A call that went unanswered (no response in time, or a connection that broke) is reported once, by the
    check that passes ``report=True`` (TOOL-05), as SERVER-ALIVE: the runner confirms it alone before reporting
    it. Any other check that needs the call is not applicable then, nor is any when an HTTP answer carried no
    response (HTTP-06's finding).
    """
    name = str(tool.get("name"))

    def call() -> ToolCall | tuple[str, str]:
        arguments = callable_tool(ctx, tool)
        try:
            made = call_tool(ctx, tool, arguments)
        except RequestTimeout as exc:
            if exc.wire is not None:
                ctx.state.drop_shared(exc.wire)  # a server stuck on this call must not stall every other check
            return "hang", f"no answer: {exc}"
        except WireError as exc:  # the transport broke while the call was in flight
            return "crash", f"the connection failed: {exc}"
        return unanswered(made.reply) or made

    cached = ctx.memo(("exercise", name), call)
    if isinstance(cached, tuple):
        kind, why = cached
        if report and kind != "missing":
            raise ctx.violation("SERVER-ALIVE", f"an answer to tools/call {name!r} within {ctx.timeout:g} s", why,
                                transient=kind)
        who = "" if kind == "missing" else " (TOOL-05 reports it as SERVER-ALIVE)"
        raise NotApplicable(f"the example call of {name!r} got no response: {why}{who}")
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


def slow_calls(ctx: CheckContext, at_least: float) -> list[ToolCall]:
    """Successful busy calls of safe tools that took ``at_least`` seconds, likeliest to be slow again first.

    Tools slow by design (``busy_arguments`` found a delay or count to raise) come first, then the slowest:
    under load (concurrent checks, a busy machine) a quick tool can take ``at_least`` once, and a check that
    needs a call still running when its next request is answered must not pick it over a slow one.
    """

    def find() -> list[ToolCall]:
        found = []
        for tool in safe_tools(ctx):
            try:
                call = busy_call(ctx, tool)
            except NotApplicable:
                continue
            if call.seconds >= at_least and call.reply.ok:
                found.append(call)
        return sorted(found, key=lambda call: (_has_knob(call), call.seconds), reverse=True)

    return ctx.memo(("slow", at_least), find)


def _has_knob(call: ToolCall) -> bool:
    """True when the call's arguments ask for more work than the tool's plain example (a delay, a count)."""
    try:
        return call.arguments != example_arguments(call.tool.get("inputSchema"))
    except NotApplicable:
        return False


def slow_call(ctx: CheckContext, at_least: float) -> ToolCall | None:
    """The likeliest-slow successful busy call of a safe tool that took ``at_least`` seconds, or None."""
    calls = slow_calls(ctx, at_least)
    return calls[0] if calls else None


CONTROL_GRACE = 0.5
"""Seconds a cancelled call's answer may trail its control call's answer and still count as an answer the server
sent although it had read the cancellation (both calls do the same work; the cancelled one started first)."""


def answered_despite_cancel(wire: Wire, call: Call, slow: ToolCall, answered: Callable[[Reply], bool]) -> bool:
    """Whether ``call`` (``slow``'s tool and arguments again, its cancellation read by the server) gets an answer
    (``answered``) by the time a server that went on with it would have sent one.

    That time is an event, not a guess: a control call of the same tool and arguments, sent now and not cancelled,
    is answered after the same work, so the cancelled call, begun earlier, would be answered by then
    (``CONTROL_GRACE`` allows for jitter). A control that fails, or answers in under half ``slow``'s duration, shows
    nothing: the wait is then one and a half times that duration plus a second, as it always is at most.
    """
    window = slow.seconds * 1.5 + 1.0
    started = time.monotonic()
    control = wire.begin(wire.message("tools/call", slow.params()))
    try:
        call.wait_for(lambda reply: answered(reply) or control.done, window)
        if not answered(call.reply):
            left = window - (time.monotonic() - started)
            if control.done and control.reply.ok and control.reply.seconds >= 0.5 * slow.seconds:
                left = min(left, CONTROL_GRACE)
            if left > 0:
                call.wait_for(answered, left)
        return answered(call.reply)
    finally:
        # the control runs to its end: abandoned in flight, its progress notifications would concern no request
        control.wait_for(lambda reply: bool(reply.response), max(0.0, window - (time.monotonic() - started)))
        control.abandon()


def safe_tools(ctx: CheckContext) -> list[dict[str, Any]]:
    """The discovered tools the suite may call."""
    return [t for t in ctx.surface.items("tools") if ctx.tool_call_blocked(t) is None]


def example_calls(ctx: CheckContext, wire: Wire, tools: list[dict[str, Any]] | None = None, *,
                  meta: dict[str, Any] | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """A ``tools/call`` message on ``wire`` with example arguments (and ``meta``), with its tool, for each of
    ``tools`` (every safe tool by default) that ``callable_tool`` can fill; the others are left out."""
    calls = []
    for tool in safe_tools(ctx) if tools is None else tools:
        try:
            arguments = callable_tool(ctx, tool)
        except NotApplicable:
            continue
        params = {"name": tool.get("name"), "arguments": arguments}
        calls.append((tool, wire.message("tools/call", params, meta=meta)))
    return calls
