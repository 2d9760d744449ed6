"""Utility checks: ping, cancellation, progress, pagination, logging, completion."""

from __future__ import annotations

from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import call_tool, callable_tool, exercise, safe_tools
from mcptest.discovery import LISTS
from mcptest.findings import NotApplicable
from mcptest.spec.versions import at_least
from mcptest.wire import RequestTimeout

LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
SLOW_ENOUGH = 0.5


@check("PING-01", "utilities", "ping answers an empty result")
def ping_answers(ctx: CheckContext) -> None:
    wire = ctx.wire()
    reply = wire.request("ping")
    result = reply.result
    if not reply.ok or not isinstance(result, dict) or set(result) - {"_meta"}:
        raise ctx.violation("PING-01", "an empty result {}", show(reply.response), wire=wire, sent=reply.request)


def _progress(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n.get("params") or {} for n in notes if n.get("method") == "notifications/progress"]


@check("PROG-01", "utilities", "progress uses the request's token, increasing")
def progress_matches_token(ctx: CheckContext) -> None:
    tools = safe_tools(ctx)
    if not tools:
        raise NotApplicable("no tool the suite may call, so no request can carry a progress token")
    wire = ctx.wire()
    for index, tool in enumerate(tools):
        token: Any = f"mcptest-progress-{index}" if index % 2 == 0 else 9000 + index
        try:
            arguments = callable_tool(ctx, tool)
        except NotApplicable:
            continue
        call = call_tool(ctx, tool, arguments, meta={"progressToken": token})
        updates = _progress(call.reply.notifications + wire.collect(0.2))
        if not updates:
            continue
        last = None
        for update in updates:
            got = update.get("progressToken")
            if type(got) is not type(token) or got != token:
                raise ctx.violation("PROG-01", f"progressToken {show(token)} as sent", f"{show(got)} in {show(update)}", wire=wire, sent=call.reply.request)
            value = update.get("progress")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or (last is not None and value <= last):
                raise ctx.violation("PROG-01", "a numeric progress that increases with each notification", f"{show(value)} after {show(last)}", wire=wire, sent=call.reply.request)
            if "message" in update and not at_least(ctx.version, "2025-03-26"):
                raise ctx.violation("PROG-01", f"no progress message at {ctx.version}", show(update), wire=wire)
            last = value
        return
    raise NotApplicable("no callable tool sent progress notifications for a request with a progressToken")


@check("PROG-02", "utilities", "no progress without a token")
def no_progress_without_token(ctx: CheckContext) -> None:
    tools = safe_tools(ctx)
    if not tools:
        raise NotApplicable("no tool the suite may call")
    called = 0
    for tool in tools:
        try:
            call = exercise(ctx, tool)
        except NotApplicable:
            continue
        called += 1
        stray = _progress(call.reply.notifications)
        if stray:
            raise ctx.violation("PROG-02", "no notifications/progress for a request without progressToken", show(stray[0]), wire=ctx.wire(), sent=call.reply.request)
    if not called:
        raise NotApplicable("no tool could be called with example arguments")


@check("CANC-01", "utilities", "cancelled requests get no response")
def cancelled_request_not_answered(ctx: CheckContext) -> None:
    slow = None
    for tool in safe_tools(ctx):
        try:
            if exercise(ctx, tool).seconds >= SLOW_ENOUGH:
                slow = exercise(ctx, tool)
                break
        except NotApplicable:
            continue
    if slow is None:
        raise NotApplicable(f"no callable tool takes {SLOW_ENOUGH} s or more, so nothing can be cancelled in flight")
    wire = ctx.wire()
    request = {"jsonrpc": "2.0", "id": f"mcptest-cancel-{wire.next_id()}", "method": "tools/call", "params": {"name": slow.name, "arguments": slow.arguments}}
    wire.send(request)
    early = wire.collect(0.1)  # let the request reach its handler: cancelling before it arrives tests nothing
    wire.notify("notifications/cancelled", {"requestId": request["id"], "reason": "mcptest cancellation check"})
    seen = early + wire.collect(slow.seconds + 1.0)
    answered = [m for m in seen + wire.unsolicited if isinstance(m, dict) and m.get("id") == request["id"] and "result" in m]
    wire.unsolicited.clear()
    if answered:
        raise ctx.violation("CANC-01", "no result for the cancelled request", show(answered[0]), wire=wire, sent=request)
    ping = wire.request("ping")
    if not ping.ok:
        raise ctx.violation("CANC-01", "the server to keep serving after a cancellation", show(ping.response), wire=wire)


@check("PAGE-01", "utilities", "pagination walks to the end")
def pagination_terminates(ctx: CheckContext) -> None:
    walked = {kind: listing for kind, listing in ctx.surface.listings.items() if not listing.error}
    if not walked:
        raise NotApplicable("the server declares no list it could page")
    for kind, listing in walked.items():
        if listing.problems:
            raise ctx.violation("PAGE-01", f"{LISTS[kind][0]} pages ending with no nextCursor", "; ".join(listing.problems), sent={"method": LISTS[kind][0]})


@check("PAGE-02", "utilities", "invalid cursors get -32602")
def invalid_cursor(ctx: CheckContext) -> None:
    methods = [LISTS[kind][0] for kind in ctx.surface.listings]
    if not methods:
        raise NotApplicable("the server declares no list method")
    wire = ctx.wire()
    for method in methods:
        reply = wire.request(method, {"cursor": "mcptest-not-a-cursor-\u2603"})
        if reply.error_code != -32602:
            raise ctx.violation("PAGE-02", f"{method} with an invalid cursor answered with -32602", show(reply.response), wire=wire, sent=reply.request)


@check("LOG-01", "utilities", "logging/setLevel accepts the 8 levels")
def set_level(ctx: CheckContext) -> None:
    ctx.require("logging")
    with ctx.fresh() as wire:
        for level in LEVELS:
            reply = wire.request("logging/setLevel", {"level": level})
            if not reply.ok:
                raise ctx.violation("LOG-01", f"an empty result for level {level!r}", show(reply.response), wire=wire, sent=reply.request)
        reply = wire.request("logging/setLevel", {"level": "loud"})
        if reply.error_code != -32602:
            raise ctx.violation("LOG-01", "-32602 for the invalid level 'loud'", show(reply.response), wire=wire, sent=reply.request)


def _log_messages(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n.get("params") or {} for n in notes if n.get("method") == "notifications/message"]


@check("LOG-02", "utilities", "log notifications are well-formed")
def log_messages_shape(ctx: CheckContext) -> None:
    ctx.require("logging")
    messages = []
    for tool in safe_tools(ctx):
        try:
            messages += _log_messages(exercise(ctx, tool).reply.notifications)
        except NotApplicable:
            continue
    if not messages:
        raise NotApplicable("no callable tool sent a log message")
    for params in messages:
        if params.get("level") not in LEVELS or "data" not in params:
            raise ctx.violation("LOG-02", f"level one of {', '.join(LEVELS)} and a data member", show(params))
        if "logger" in params and not isinstance(params["logger"], str):
            raise ctx.violation("LOG-02", "logger to be a string", show(params))


@check("LOG-03", "utilities", "setLevel filters log messages")
def log_level_filters(ctx: CheckContext) -> None:
    ctx.require("logging")
    tools = safe_tools(ctx)
    if not tools:
        raise NotApplicable("no tool the suite may call")
    with ctx.fresh() as wire:
        wire.request("logging/setLevel", {"level": "emergency"})
        for tool in tools:
            try:
                arguments = callable_tool(ctx, tool)
            except NotApplicable:
                continue
            try:
                reply = wire.request("tools/call", {"name": tool["name"], "arguments": arguments})
            except RequestTimeout:
                continue
            below = [m for m in _log_messages(reply.notifications) if m.get("level") in LEVELS[:-1]]
            if below:
                raise ctx.violation("LOG-03", "no log message below 'emergency' after logging/setLevel emergency", show(below[0]), wire=wire, sent=reply.request)


def _completion_refs(ctx: CheckContext) -> list[tuple[dict[str, Any], str]]:
    refs = []
    for prompt in ctx.surface.items("prompts"):
        args = prompt.get("arguments") if isinstance(prompt.get("arguments"), list) else []
        if args and isinstance(args[0], dict) and isinstance(args[0].get("name"), str):
            refs.append(({"type": "ref/prompt", "name": prompt.get("name")}, args[0]["name"]))
    for template in ctx.surface.items("templates"):
        uri = template.get("uriTemplate")
        if isinstance(uri, str) and "{" in uri:
            variable = uri.split("{", 1)[1].split("}", 1)[0].lstrip("+#./;?&").split(",")[0].split(":")[0].rstrip("*")
            refs.append(({"type": "ref/resource", "uri": uri}, variable))
    return refs


@check("COMP-01", "utilities", "completion results are well-formed")
def completion_shape(ctx: CheckContext) -> None:
    ctx.require("completions")
    refs = _completion_refs(ctx)
    if not refs:
        raise NotApplicable("no prompt argument or template variable to complete")
    wire = ctx.wire()
    for ref, argument in refs:
        reply = wire.request("completion/complete", {"ref": ref, "argument": {"name": argument, "value": ""}})
        completion = reply.result.get("completion") if reply.ok and isinstance(reply.result, dict) else None
        if not isinstance(completion, dict):
            raise ctx.violation("COMP-01", "a result with a completion object", show(reply.response), wire=wire, sent=reply.request)
        values = completion.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or len(values) > 100:
            raise ctx.violation("COMP-01", "completion.values: an array of at most 100 strings", show(values), wire=wire, sent=reply.request)
        if "total" in completion and (not isinstance(completion["total"], int) or isinstance(completion["total"], bool)):
            raise ctx.violation("COMP-01", "completion.total to be an integer", show(completion), wire=wire, sent=reply.request)
        if "hasMore" in completion and not isinstance(completion["hasMore"], bool):
            raise ctx.violation("COMP-01", "completion.hasMore to be a boolean", show(completion), wire=wire, sent=reply.request)
