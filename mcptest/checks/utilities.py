"""Utility checks: ping, cancellation, progress, pagination, logging, completion."""

from __future__ import annotations

import time
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import (answered_despite_cancel, busy_call, example_calls, safe_tools, slow_call,
                                  slow_calls)
from mcptest.checks.jsonrpc import cheap_method
from mcptest.checks.resources import valid_template
from mcptest.discovery import LISTS
from mcptest.findings import NotApplicable
from mcptest.wire import Reply, Wire

LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
SLOW_ENOUGH = 0.5
BLOCKED_ROUNDS = 3


@check("PING-01", "utilities", "ping answers an empty result, also while a call runs", phase="exclusive", order=60)
def ping_answers(ctx: CheckContext) -> None:
    # a connection of its own: on the shared one, other checks' slow calls would delay the plain ping too and hide
    # (or fake) a ping that waits behind a call
    wire = ctx.exclusive()
    reply = wire.request("ping")
    result = reply.result
    if not reply.ok or not isinstance(result, dict) or set(result) - {"_meta"}:
        raise ctx.violation("PING-01", "an empty result {}", show(reply.response), wire=wire, sent=reply.request)
    slow = slow_call(ctx, SLOW_ENOUGH)
    if slow is None:
        return  # no request to ping past: the plain ping above is all there is to check
    for _ in range(BLOCKED_ROUNDS):  # a load spike can slow a ping and a call alike once, not every time
        call = wire.begin(wire.message("tools/call", slow.params()))
        ping = wire.request("ping")
        if not ping.ok:
            raise ctx.violation("PING-01", "an empty result {}", show(ping.response), wire=wire, sent=ping.request)
        answered_first = call.done
        took = call.wait().seconds
        # blocked: the call was answered first, it really was slow this time (well beyond a plain ping), and the
        # ping waited for most of it
        slow_now = took >= 0.8 * SLOW_ENOUGH and took >= 2 * reply.seconds
        if not (answered_first and slow_now and ping.seconds >= 0.5 * took):
            return
    raise ctx.violation("PING-01", f"the ping answered promptly, while {slow.name!r} ({took:.1f} s) runs",
                        f"the ping was answered only after the tool call finished, {BLOCKED_ROUNDS} times in a row "
                        f"(last: {ping.seconds:.1f} s; a ping alone took {reply.seconds:.2f} s)", wire=wire,
                        sent=[call.request, ping.request])


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
        sent = call.reply.request["params"]["_meta"]["progressToken"]
        last = None
        for update in updates:
            got = update.get("progressToken")
            if type(got) is not type(sent) or got != sent:
                raise ctx.violation("PROG-01", f"progressToken {sent} (an integer, as sent)",
                                    f"{show(got)} in {show(update)}", 
                                    wire=ctx.wire(), sent=call.reply.request)
            value = update.get("progress")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or (last is not None and value <= last):
                raise ctx.violation("PROG-01", "a numeric progress that increases with each notification",
                                    f"{show(value)} after {show(last)}", wire=ctx.wire(), sent=call.reply.request)
            last = value
        return
    raise NotApplicable("no callable tool sent progress notifications for a request with a progressToken")


def _tokenless_calls(ctx: CheckContext) -> list[tuple[Wire, Reply]]:
    """The tools that report progress, each called once more without a progressToken, one after another (so a
    progress notification is pinned on its call); once per version. PROG-02's prepare step."""

    def calls() -> list[tuple[Wire, Reply]]:
        wire = ctx.wire()
        return [(wire, wire.request("tools/call", busy_call(ctx, tool).params(), progress=False))
                for tool in _progress_senders(ctx)]

    return ctx.memo("tokenless-progress-calls", calls)


@check("PROG-02", "utilities", "progress only for active requests' tokens", phase="observe",
       prepare=_tokenless_calls)
def no_stray_progress(ctx: CheckContext) -> None:
    for wire, reply in _tokenless_calls(ctx):
        stray = _progress(reply.notifications)
        if stray:
            raise ctx.violation("PROG-02", "no notifications/progress for a request without a progressToken",
                                show(stray[0]), wire=wire, sent=reply.request)
    seen = ctx.observed
    if not seen.notes("notifications/progress"):
        raise NotApplicable("the server sent no progress notification at this version, so none could be judged")
    if seen.stray_progress:
        transport, message, why = seen.stray_progress[0]
        raise ctx.violation("PROG-02", "progress notifications only for tokens of requests still in flight",
                            f"{why}: {show(message)} (over {transport})")


@check("PROG-03", "utilities", "no progress message at 2024-11-05", phase="observe")
def progress_message_2024(ctx: CheckContext) -> None:
    updates = ctx.observed.notes("notifications/progress")
    if not updates:
        raise NotApplicable("the server sent no progress notification at this version, so none could be judged")
    with_message = [u for u in updates if "message" in u]
    if with_message:
        raise ctx.violation("PROG-03", "progress notifications with progressToken, progress and total only (the "
                            "message member came in 2025-03-26)",
                            f"{len(with_message)} of {len(updates)} carry a message, first: {show(with_message[0])}")


def _progress_senders(ctx: CheckContext) -> list[dict[str, Any]]:
    senders = []
    for tool in safe_tools(ctx):
        try:
            if _progress(busy_call(ctx, tool).reply.notifications):
                senders.append(tool)
        except NotApplicable:
            continue
    return senders


TOO_LATE = 0.2
"""Seconds: a result arriving sooner than this after the server read the cancellation may have crossed it on the
wire."""


def cancelled_call(ctx: CheckContext, req_id: str) -> None:
    """Cancel a slow call in flight: no result may follow (within its usual duration) and the server keeps serving."""
    candidates = slow_calls(ctx, SLOW_ENOUGH)[:2]
    if not candidates:
        raise NotApplicable(f"no callable tool took {SLOW_ENOUGH} s or more, so nothing can be cancelled in flight")
    wire = ctx.wire()
    for slow in candidates:  # a call that looked slow on a busy machine may finish at once: try the next one
        call = wire.begin(wire.message("tools/call", slow.params(), id=f"mcptest-cancel-{wire.next_id()}"))
        # cancelling before the server runs the call tests nothing (it MAY ignore a cancellation of a request it
        # does not know): on stdio a later request's answer shows it has read the call; on any transport the call's
        # first progress notification shows it runs (over HTTP nothing else does: each POST is a connection of its
        # own, so a later request's answer does not show that the call arrived)
        wire.request(cheap_method(ctx))
        if (_progress(slow.reply.notifications)
                and not call.wait_for(lambda reply: bool(_progress(reply.notifications)), ctx.timeout)
                and not call.done):
            call.abandon()
            raise NotApplicable(f"the call of {slow.name!r} sent no progress notification within {ctx.timeout:g} s "
                                "this time, so it was not seen running before it would have been cancelled")
        if not call.done:
            break
        call.abandon()
    else:
        raise NotApplicable(f"{', '.join(repr(c.name) for c in candidates)} finished before they could be cancelled "
                            f"(they took {SLOW_ENOUGH} s or more once)")
    wire.notify("notifications/cancelled", {"requestId": call.request["id"], "reason": "mcptest cancellation check"})
    # a busy server may read the cancellation only after the call finished, which the spec allows: the answer to a
    # request sent after the cancellation shows it was read (a server reads its input in order), so only a result
    # later than that answer (by more than crossing on the wire takes) was sent after the server knew
    wire.request(cheap_method(ctx))
    read = time.monotonic()
    if "result" in call.reply.response:
        call.abandon()
        raise NotApplicable(f"the call of {slow.name!r} finished before the server had read its cancellation (its "
                            "result came before the answer to a request sent after the cancellation)")
    answered = answered_despite_cancel(wire, call, slow, lambda reply: "result" in reply.response)
    late = time.monotonic() - read
    call.abandon()
    if answered and late < TOO_LATE:
        raise NotApplicable(f"the result arrived {late:.2f} s after the server had read the cancellation: it may "
                            "have crossed it on the wire, which the spec allows")
    if answered:
        raise ctx.violation(req_id, "no result for the cancelled request",
                            f"{show(call.reply.response)} ({late:.1f} s after the server had read the cancellation)",
                            wire=wire, sent=call.request)
    after = wire.request(cheap_method(ctx))
    if not after.ok:
        raise ctx.violation(req_id, "the server to keep serving after a cancellation", show(after.response), wire=wire)


@check("CANC-01", "utilities", "cancelled requests get no result")
def cancelled_request_not_answered(ctx: CheckContext) -> None:
    if ctx.transport == "http":
        raise NotApplicable("over streamable HTTP the cancellation of a POSTed request is HTTP-16's")
    cancelled_call(ctx, "CANC-01")


@check("PAGE-01", "utilities", "pagination walks to the end")
def pagination_terminates(ctx: CheckContext) -> None:
    walked = {kind: listing for kind, listing in ctx.surface.listings.items() if not listing.error}
    if not walked:
        raise NotApplicable("the server declares no list it could page")
    for kind, listing in walked.items():
        if listing.problems:
            raise ctx.violation("PAGE-01", f"{LISTS[kind][0]} pages ending with no nextCursor",
                                "; ".join(listing.problems), sent={"method": LISTS[kind][0]})


@check("PAGE-02", "utilities", "invalid cursors get -32602")
def invalid_cursor(ctx: CheckContext) -> None:
    listed = ctx.surface.listings
    methods = [LISTS[kind][0] for kind, listing in listed.items() if not listing.error]
    if not methods:
        why = "the server declares no list method" if not listed else "every list method failed (LIFE-08 reports it)"
        raise NotApplicable(why)
    wire = ctx.wire()
    for method in methods:
        reply = wire.request(method, {"cursor": "mcptest-not-a-cursor-\u2603"})
        if reply.error_code != -32602:
            raise ctx.violation("PAGE-02", f"{method} with an invalid cursor answered with -32602",
                                show(reply.response), wire=wire, sent=reply.request)


@check("LOG-01", "utilities", "logging/setLevel accepts the 8 levels", phase="exclusive", order=40)
def set_level(ctx: CheckContext) -> None:
    ctx.require("logging")
    wire = ctx.exclusive()
    for level in LEVELS:
        reply = wire.request("logging/setLevel", {"level": level})
        if not reply.ok:
            raise ctx.violation("LOG-01", f"an empty result for level {level!r}", show(reply.response), wire=wire,
                                sent=reply.request)


@check("LOG-04", "utilities", "an invalid log level gets -32602", phase="exclusive", order=41)
def invalid_log_level(ctx: CheckContext) -> None:
    ctx.require("logging")
    wire = ctx.exclusive()
    reply = wire.request("logging/setLevel", {"level": "loud"})
    if reply.error_code != -32602:
        raise ctx.violation("LOG-04", "-32602 for the invalid level 'loud'", show(reply.response), wire=wire,
                            sent=reply.request)


@check("LOG-05", "utilities", "log messages only with the logging capability", phase="observe")
def log_messages_declared(ctx: CheckContext) -> None:
    messages = ctx.observed.notes("notifications/message")
    if not messages:
        raise NotApplicable("the server sent no log message at this version, so none could be judged")
    if not ctx.surface.has("logging"):
        raise ctx.violation("LOG-05", "the logging capability declared, since the server sends notifications/message",
                            f"{len(messages)} log message(s) without it, first: {show(messages[0])}; capabilities: "
                            f"{show(ctx.surface.capabilities)}")


def _log_messages(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n.get("params") or {} for n in notes if n.get("method") == "notifications/message"]


@check("LOG-02", "utilities", "log notifications are well-formed", phase="observe")
def log_messages_shape(ctx: CheckContext) -> None:
    messages = ctx.observed.notes("notifications/message")
    if not messages:
        raise NotApplicable("the server sent no log message at this version, so none could be judged")
    for params in messages:
        if params.get("level") not in LEVELS or "data" not in params:
            raise ctx.violation("LOG-02", f"level one of {', '.join(LEVELS)} and a data member", show(params))
        if "logger" in params and not isinstance(params["logger"], str):
            raise ctx.violation("LOG-02", "logger to be a string", show(params))


def _logged_calls(ctx: CheckContext, wire: Wire, level: str, tools: list[dict[str, Any]],
                  window: int) -> list[tuple[dict[str, Any], Reply, list[dict[str, Any]]]]:
    """Set ``level``, call each of ``tools`` once, ``window`` at a time; each answered call's tool, reply and the
    log messages that came with it."""
    wire.request("logging/setLevel", {"level": level})
    calls = example_calls(ctx, wire, tools)
    replies = wire.exchange_all([message for _, message in calls], window)
    return [(tool, reply, _log_messages(reply.notifications))
            for (tool, _), reply in zip(calls, replies, strict=True) if isinstance(reply, Reply)]


@check("LOG-03", "utilities", "setLevel filters log messages", phase="exclusive", order=42)
def log_level_filters(ctx: CheckContext) -> None:
    ctx.require("logging")
    wire = ctx.exclusive()
    # at debug every safe tool, concurrently; at emergency only those that logged, one at a time, so a message below
    # emergency is pinned on its call (on stdio a message names no request: it reaches every one in flight)
    loud = [tool for tool, _, messages in _logged_calls(ctx, wire, "debug", safe_tools(ctx), ctx.settings.concurrency)
            if messages]
    if not loud:
        raise NotApplicable("no callable tool sent a log message at level debug, so filtering could not be observed")
    for _, reply, messages in _logged_calls(ctx, wire, "emergency", loud, 1):
        below = [m for m in messages if m.get("level") in LEVELS[:-1]]
        if below:
            raise ctx.violation("LOG-03", "no log message below 'emergency' after logging/setLevel emergency",
                                show(below[0]), 
                                wire=wire, sent=reply.request)


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
    refused = []
    for ref, argument in refs:
        reply = wire.request("completion/complete", {"ref": ref, "argument": {"name": argument, "value": ""}})
        if reply.error is not None:
            refused.append(f"{show(ref)}: {show(reply.error, 120)}")
            continue  # an error is no result to judge (unknown or unsupported references are the server's call)
        completion = reply.result.get("completion") if isinstance(reply.result, dict) else None
        if not isinstance(completion, dict):
            raise ctx.violation("COMP-01", "a result with a completion object", show(reply.response), wire=wire,
                                sent=reply.request)
        values = completion.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or len(values) > 100:
            raise ctx.violation("COMP-01", "completion.values: an array of at most 100 strings", show(values),
                                wire=wire, sent=reply.request)
        total = completion.get("total", 0)
        if not isinstance(total, int) or isinstance(total, bool):
            raise ctx.violation("COMP-01", "completion.total to be an integer", show(completion), wire=wire,
                                sent=reply.request)
        if "hasMore" in completion and not isinstance(completion["hasMore"], bool):
            raise ctx.violation("COMP-01", "completion.hasMore to be a boolean", show(completion), wire=wire,
                                sent=reply.request)
    if len(refused) == len(refs):
        raise NotApplicable(f"every completion request was answered with an error, so no result could be judged: "
                            f"{'; '.join(refused[:3])}")
