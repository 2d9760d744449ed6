"""Utility checks: ping, cancellation, progress, pagination, logging, completion."""

from __future__ import annotations

from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.resources import valid_template
from mcptest.checks.calls import BUSY_TOKEN, busy_call, callable_tool, exercise, safe_tools, slow_call
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
    slow = slow_call(ctx, SLOW_ENOUGH)
    if slow is None:
        return  # no request to ping past: the plain ping above is all there is to check
    request = {"jsonrpc": "2.0", "id": f"mcptest-busy-{wire.next_id()}", "method": "tools/call", "params": slow.reply.request["params"]}
    wire.send(request)
    ping = {"jsonrpc": "2.0", "id": f"mcptest-ping-{wire.next_id()}", "method": "ping"}
    wire.send(ping)
    seen = wire.collect(slow.seconds + ctx.timeout, until=lambda m: isinstance(m, dict) and m.get("id") in (request["id"], ping["id"]) and "method" not in m)
    first = next((m for m in seen if isinstance(m, dict) and m.get("id") in (request["id"], ping["id"]) and "method" not in m), None)
    if first is not None and first.get("id") == request["id"]:
        wire.collect(ctx.timeout, until=lambda m: isinstance(m, dict) and m.get("id") == ping["id"])
        raise ctx.violation("PING-01", f"the ping answered promptly, while {slow.name!r} (about {slow.seconds:.1f} s) runs", "the ping was answered only after the tool call finished", wire=wire, sent=[request, ping])
    wire.collect(slow.seconds + ctx.timeout, until=lambda m: isinstance(m, dict) and m.get("id") == request["id"])


def _progress(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n.get("params") or {} for n in notes if n.get("method") == "notifications/progress"]


@check("PROG-01", "utilities", "progress uses the request's token, increasing")
def progress_matches_token(ctx: CheckContext) -> None:
    tools = safe_tools(ctx)
    if not tools:
        raise NotApplicable("no tool the suite may call, so no request can carry a progress token")
    for tool in tools:
        try:
            call = busy_call(ctx, tool)
        except NotApplicable:
            continue
        updates = _progress(call.reply.notifications)
        if not updates:
            continue
        last = None
        for update in updates:
            got = update.get("progressToken")
            if type(got) is not int or got != BUSY_TOKEN:
                raise ctx.violation("PROG-01", f"progressToken {BUSY_TOKEN} (an integer, as sent)", f"{show(got)} in {show(update)}", wire=ctx.wire(), sent=call.reply.request)
            value = update.get("progress")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or (last is not None and value <= last):
                raise ctx.violation("PROG-01", "a numeric progress that increases with each notification", f"{show(value)} after {show(last)}", wire=ctx.wire(), sent=call.reply.request)
            if "message" in update and not at_least(ctx.version, "2025-03-26"):
                raise ctx.violation("PROG-01", f"no progress message at {ctx.version}", show(update), wire=ctx.wire())
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
    slow = slow_call(ctx, SLOW_ENOUGH)
    if slow is None:
        raise NotApplicable(f"no callable tool took {SLOW_ENOUGH} s or more, so nothing can be cancelled in flight")
    wire = ctx.wire()
    request = {"jsonrpc": "2.0", "id": f"mcptest-cancel-{wire.next_id()}", "method": "tools/call", "params": slow.reply.request["params"]}
    wire.send(request)
    early = wire.collect(0.1)  # let the request reach its handler: cancelling before it arrives tests nothing
    wire.notify("notifications/cancelled", {"requestId": request["id"], "reason": "mcptest cancellation check"})
    answered_it = lambda m: isinstance(m, dict) and m.get("id") == request["id"] and "result" in m  # noqa: E731
    seen = early + wire.collect(slow.seconds + 1.0, until=answered_it)
    answered = [m for m in seen + wire.unsolicited if answered_it(m)]
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


@check("LOG-04", "utilities", "an invalid log level gets -32602")
def invalid_log_level(ctx: CheckContext) -> None:
    ctx.require("logging")
    with ctx.fresh() as wire:
        reply = wire.request("logging/setLevel", {"level": "loud"})
        if reply.error_code != -32602:
            raise ctx.violation("LOG-04", "-32602 for the invalid level 'loud'", show(reply.response), wire=wire, sent=reply.request)


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
        if isinstance(uri, str) and "{" in uri and valid_template(uri):
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
