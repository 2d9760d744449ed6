"""2026-07-28 request-scoped flows: per-request log levels (MOD-08/20) and cancellation (MOD-15, MHTTP-15)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import answered_despite_cancel, callable_tool, safe_tools, slow_calls
from mcptest.findings import NotApplicable
from mcptest.wire import HttpWire, RequestTimeout, Wire
from mcptest.wire.base import WireError
from mcptest.wire.envelope import LOG_LEVEL_KEY

AREA = "modern"
LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
SLOW_ENOUGH = 0.5


@dataclass(frozen=True)
class Logger:
    """A tool that sent log messages when its request asked for them at level debug."""

    tool: dict[str, Any]
    arguments: dict[str, Any]
    messages: int


def _log_messages(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n.get("params") or {} for n in notes if n.get("method") == "notifications/message"]


def _call(wire: Wire, logger: Logger, level: str | None) -> Any:
    meta = {LOG_LEVEL_KEY: level} if level else None
    return wire.request("tools/call", {"name": logger.tool.get("name"), "arguments": logger.arguments}, meta=meta)


def loggers(ctx: CheckContext) -> list[Logger]:
    """The safe tools that log when asked to at level debug, found on the lane's connection (once per version)."""

    def find() -> list[Logger]:
        wire = ctx.exclusive()
        found = []
        for tool in safe_tools(ctx):
            try:
                arguments = callable_tool(ctx, tool)
                probe = Logger(tool, arguments, 0)
                messages = _log_messages(_call(wire, probe, "debug").notifications)
            except (NotApplicable, RequestTimeout):
                continue
            if messages:
                found.append(Logger(tool, arguments, len(messages)))
        wire.request("server/discover", {})  # a late log message of the probes arrives before this answer
        wire.drain()
        return found

    found = ctx.memo(("loggers",), find)
    if not found:
        raise NotApplicable("no callable tool sent notifications/message even when its request set "
                            f"{LOG_LEVEL_KEY} to debug, so the level's effect cannot be observed")
    return found


@check("MOD-08", AREA, "no log messages for a request that did not ask for them", phase="exclusive", order=40)
def no_logs_unasked(ctx: CheckContext) -> None:
    for logger in loggers(ctx):
        wire = ctx.exclusive()
        reply = _call(wire, logger, None)
        messages = _log_messages(reply.notifications)
        if messages:
            raise ctx.violation("MOD-08", f"no notifications/message for a request without {LOG_LEVEL_KEY}",
                                f"{len(messages)} message(s), first {show(messages[0])}", wire=wire,
                                sent=reply.request)


@check("MOD-20", AREA, "log messages respect the request's level", phase="exclusive", order=41)
def logs_at_or_above(ctx: CheckContext) -> None:
    for logger in loggers(ctx):
        wire = ctx.exclusive()
        reply = _call(wire, logger, "error")
        below = [m for m in _log_messages(reply.notifications) if m.get("level") in LEVELS[:LEVELS.index("error")]]
        if below:
            raise ctx.violation("MOD-20", f"only messages at level error or above ({LOG_LEVEL_KEY}: error)",
                                show(below[0]), wire=wire, sent=reply.request)


def _slow(ctx: CheckContext, *, notifying: bool = False) -> Any:
    """The likeliest-slow call; with ``notifying``, the likeliest-slow of those that sent a notification before
    their answer when first called, if any did (under load a tool that sends none can be the slowest, and a check
    that needs a notification mid-call would be left n/a although another tool could be judged)."""
    calls = slow_calls(ctx, SLOW_ENOUGH)
    if not calls:
        raise NotApplicable(f"no callable tool took {SLOW_ENOUGH} s or more, so nothing can be cancelled in flight")
    return next((call for call in calls if call.reply.notifications), calls[0]) if notifying else calls[0]


def _progress_for(notes: list[dict[str, Any]], token: Any) -> list[dict[str, Any]]:
    return [n for n in notes if n.get("method") == "notifications/progress"
            and (n.get("params") or {}).get("progressToken") == token]


@check("MOD-15", AREA, "nothing more for a cancelled request")
def cancelled_request_silent(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    slow = _slow(ctx)
    wire = ctx.wire()
    token = f"mcptest-cancel-{wire.next_id()}"
    call = wire.begin(wire.message("tools/call", slow.params(), id=token, meta={"progressToken": token}))
    wire.request("server/discover", {})  # answered once the server has read the call
    if call.done:
        raise NotApplicable(f"the call of {slow.name!r} was answered before it could be cancelled")
    wire.notify("notifications/cancelled", {"requestId": token, "reason": "mcptest cancellation check"})
    wire.request("server/discover", {})  # answered once the server has read the cancellation
    if call.done:  # it finished while the cancellation was on its way: a race the spec allows
        call.abandon()
        raise NotApplicable(f"the call of {slow.name!r} finished before the server read its cancellation")
    settled = len(_progress_for(call.reply.notifications, token))
    answered = answered_despite_cancel(wire, call, slow, lambda reply: bool(reply.response))
    late = _progress_for(call.reply.notifications, token)[settled:]
    call.abandon()
    if answered:
        raise ctx.violation("MOD-15", "no response for the cancelled request (its cancellation was read before)",
                            show(call.reply.response), wire=wire, sent=call.request)
    if len(late) > 1:  # one may have been on its way when the cancellation was read
        raise ctx.violation("MOD-15", "no further progress for the cancelled request",
                            f"{len(late)} progress notifications after the cancellation was read, e.g. "
                            f"{show(late[-1])}", wire=wire, sent=call.request)


class _Closed(Exception):
    """Raised from inside a streaming read to close the response stream there."""


@check("MHTTP-15", "mhttp", "closing a request's stream cancels it; the server keeps serving", phase="observe")
def closed_stream(ctx: CheckContext) -> None:
    # an observer runs after every other check of the version: a server that fails this stops serving for everyone
    ctx.require_transport("http")
    slow = _slow(ctx, notifying=True)  # the stream is closed at its first notification
    wire = ctx.wire()
    assert isinstance(wire, HttpWire)
    body = wire.message("tools/call", slow.params(), progress=True)

    def close_at_first_notification(message: Any) -> None:
        if isinstance(message, dict) and "method" in message and "id" not in message:
            raise _Closed

    try:
        wire.post(body, until_id=body["id"], on_message=close_at_first_notification, timeout=slow.seconds + ctx.timeout)
    except _Closed:
        pass
    else:
        raise NotApplicable("the slow call sent no notification before its answer, so no open stream could be closed")
    # the same call again, answered no sooner than the closed one would have been: the server had time to notice
    for method, params in (("tools/call", slow.params()), ("server/discover", {})):
        try:
            after = wire.request(method, params)
        except WireError as exc:
            raise ctx.violation("MHTTP-15", "the server to keep serving after a client closed a response stream",
                                f"{method} then failed: {exc}", wire=wire, sent=body, transient="crash") from None
        if not after.ok:
            raise ctx.violation("MHTTP-15", "the server to keep serving after a client closed a response stream",
                                show(after.response), wire=wire, sent=body, transient="crash")


__all__ = ["Logger", "loggers"]
