"""JSON-RPC 2.0 framing checks (BASE-*): message shape, ids, errors, notifications, malformed input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable
from mcptest.spec.versions import BATCHING
from mcptest.wire import HttpWire, Wire
from mcptest.wire.base import is_response, same_id

UNKNOWN_METHOD = "mcptest/no-such-method"


def cheap_method(ctx: CheckContext) -> str:
    """A request every server of this era answers with no side effect: ``ping``, or ``server/discover`` at 2026."""
    return "server/discover" if ctx.modern else "ping"


def after_sentinels(ctx: CheckContext, wire: Wire, wanted: Callable[[Any], bool], rounds: int = 2) -> list[Any]:
    """Inbox messages satisfying ``wanted`` that arrive before the answers to ``rounds`` sentinel requests.

    A server answers the lines of one stdio connection in order (or at least answers input it rejects at
    once), so a reply to something sent earlier that has not come by the time a later request is answered,
    twice, is not coming: an event-driven wait instead of a listening window.
    """
    found: list[Any] = []
    for _ in range(rounds):
        wire.request(cheap_method(ctx))
        found += [m for m in wire.drain() if wanted(m)]
        if found:
            break
    return found


@check("BASE-01", "jsonrpc", "every message is JSON-RPC 2.0", phase="observe")
def every_frame_is_jsonrpc(ctx: CheckContext) -> None:
    seen = ctx.observed
    if not seen.messages:
        raise NotApplicable("the server sent no message at this version to judge")
    if seen.frame_problems:
        transport, problem, message = seen.frame_problems[0]
        more = f" (and {len(seen.frame_problems) - 1} more)" if len(seen.frame_problems) > 1 else ""
        raise ctx.violation("BASE-01", "every message a JSON-RPC 2.0 request, notification or response",
                            f"{problem}: {show(message)}{more}; {seen.messages} messages seen over {transport}")


@check("BASE-02", "jsonrpc", "response ids echo request ids exactly")
def ids_echoed_exactly(ctx: CheckContext) -> None:
    wire = ctx.wire()
    for rid in (f"mcptest-id-{wire.next_id()}", 4200 + wire.next_id(), 0, -1 - wire.next_id()):
        reply = wire.request(cheap_method(ctx), id=rid)
        got = reply.response.get("id")
        if not same_id(got, rid):
            raise ctx.violation("BASE-02", f"id {show(rid)} ({type(rid).__name__})", f"id {show(got)}", wire=wire,
                                sent=reply.request)


@check("BASE-03", "jsonrpc", "responses have exactly one of result/error")
def result_xor_error(ctx: CheckContext) -> None:
    wire = ctx.wire()
    for method in (cheap_method(ctx), UNKNOWN_METHOD):
        reply = wire.request(method)
        response = reply.response
        if ("result" in response) == ("error" in response):
            raise ctx.violation("BASE-03", "exactly one of result or error", show(response), wire=wire,
                                sent=reply.request)
        error = response.get("error")
        if "error" in response:
            if not isinstance(error, dict):
                raise ctx.violation("BASE-03", "error to be an object", show(error), wire=wire, sent=reply.request)
            code = error.get("code")
            if not isinstance(code, int) or isinstance(code, bool) or not isinstance(error.get("message"), str):
                raise ctx.violation("BASE-03", "error.code an integer and error.message a string", show(error),
                                    wire=wire, sent=reply.request)


def _notifications_unanswered(ctx: CheckContext, req_id: str) -> None:
    wire = ctx.exclusive()
    wire.drain()
    wire.notify("notifications/cancelled", {"requestId": "mcptest-never-sent", "reason": "mcptest probe"})
    wire.notify("notifications/mcptest/unknown", {"probe": True})
    stray = after_sentinels(ctx, wire, wire.stray_response)  # a late answer to an earlier request is no answer here
    if stray:
        raise ctx.violation(req_id, "no response to notifications", f"answered with {show(stray[0])}", wire=wire)


@check("BASE-04", "jsonrpc", "notifications are never answered", phase="exclusive", order=10)
def notifications_unanswered(ctx: CheckContext) -> None:
    _notifications_unanswered(ctx, "BASE-04")


@check("BASE-16", "jsonrpc", "notifications are never answered (2024-11-05)", phase="exclusive", order=10)
def notifications_unanswered_2024(ctx: CheckContext) -> None:
    _notifications_unanswered(ctx, "BASE-16")


def _by_status(ctx: CheckContext, http_checks: str) -> str:
    """Why a framing check does not run over HTTP: a refused body is answered with an HTTP status instead."""
    if ctx.transport == "sse":
        return "over the legacy HTTP+SSE transport a refused POST is judged by its HTTP status (SSE-03)"
    return f"over HTTP this is judged by the HTTP status ({http_checks})"


def _is_error(message: Any) -> bool:
    return isinstance(message, dict) and isinstance(message.get("error"), dict)


def _expect_error(ctx: CheckContext, req_id: str, payload: bytes, code: int, what: str) -> None:
    if ctx.transport != "stdio":
        raise NotApplicable(_by_status(ctx, "HTTP-11/HTTP-12"))
    wire = ctx.exclusive()
    wire.drain()
    wire.send(payload)
    answers = after_sentinels(ctx, wire, is_response)
    errors = [m for m in answers if _is_error(m)]
    if not errors:
        dropped = "no answer at all, although later requests were answered (the input was dropped)"
        got = show(answers[0]) if answers else dropped
        raise ctx.violation(req_id, f"an error response {code} with id null for {what}", got, wire=wire,
                            sent=payload.decode())
    error = errors[0]
    if error["error"].get("code") != code or error.get("id") is not None:
        raise ctx.violation(req_id, f"error code {code} with id null", show(error), wire=wire, sent=payload.decode())


@check("BASE-05", "jsonrpc", "invalid JSON gets a parse error", phase="exclusive", order=20)
def parse_error(ctx: CheckContext) -> None:
    _expect_error(ctx, "BASE-05", b'{"jsonrpc": "2.0", "id": 1, "method": "ping"\n', -32700, "invalid JSON")


@check("BASE-06", "jsonrpc", "invalid request objects get -32600", phase="exclusive", order=21)
def invalid_request(ctx: CheckContext) -> None:
    _expect_error(ctx, "BASE-06", b'{"jsonrpc": "1.0", "id": 7, "method": "ping"}\n', -32600, '"jsonrpc": "1.0"')
    _expect_error(ctx, "BASE-06", b'{"jsonrpc": "2.0", "id": 8, "method": 1}\n', -32600, "a non-string method")


@check("BASE-07", "jsonrpc", "unknown methods get -32601")
def method_not_found(ctx: CheckContext) -> None:
    wire = ctx.wire()
    reply = wire.request(UNKNOWN_METHOD, {})
    if reply.error_code != -32601:
        raise ctx.violation("BASE-07", "error -32601 (Method not found)", show(reply.response), wire=wire,
                            sent=reply.request)


INVALID_PARAMS = {
    "tools": ("tools/call", {}),
    "resources": ("resources/read", {}),
    "prompts": ("prompts/get", {"name": 1}),
    "completions": ("completion/complete", {"argument": {"name": "x", "value": ""}}),
}


@check("BASE-08", "jsonrpc", "invalid params get -32602")
def invalid_params(ctx: CheckContext) -> None:
    probes = [probe for cap, probe in INVALID_PARAMS.items() if ctx.surface.has(cap)]
    if not probes:
        raise NotApplicable("the server declares no capability whose methods take checkable params")
    wire = ctx.wire()
    # over 2026-07-28 HTTP a param mirrored in Mcp-Name (prompts/get name 1) may fail header validation first
    accepted = (-32602, -32020) if ctx.modern and isinstance(wire, HttpWire) else (-32602,)
    for method, params in probes:
        reply = wire.request(method, params)
        if reply.error_code not in accepted:
            raise ctx.violation("BASE-08", f"{method} with params {show(params)} answered with -32602",
                                show(reply.response), wire=wire, sent=reply.request)


@check("BASE-09", "jsonrpc", "unknown members are ignored", phase="exclusive", order=35)
def extra_members_ignored(ctx: CheckContext) -> None:
    wire = ctx.exclusive()  # a refusal with id null names no request: on this connection it can only be ours
    wire.drain()
    params: dict[str, Any] = {"mcptestExtra": 1}
    if wire.envelope is not None:
        params["_meta"] = wire.envelope.meta()
    message = {"jsonrpc": "2.0", "id": wire.next_id(), "method": cheap_method(ctx), "params": params,
               "mcptestExtra": True}
    call = wire.begin(message)
    ordered = ctx.transport == "stdio"  # over HTTP the answer to the POST is the probe's, whatever it holds
    refusals = after_sentinels(ctx, wire, lambda m: _is_error(m) and m.get("id") is None) if ordered else []
    if ordered and not call.done:  # two later requests were answered first: a refusal naming no id, or nothing
        call.abandon()
        got = f"refused: {show(refusals[0])}" if refusals else "no answer, although later requests were answered"
        raise ctx.violation("BASE-09", f"a normal {cheap_method(ctx)} result", got, wire=wire, sent=message)
    reply = call.wait()
    if not reply.ok:
        raise ctx.violation("BASE-09", f"a normal {cheap_method(ctx)} result", show(reply.response), wire=wire,
                            sent=message)


@check("BASE-10", "jsonrpc", "batches are answered at 2025-03-26", phase="exclusive", order=30)
def batch_at_2025_03_26(ctx: CheckContext) -> None:
    ctx.require_version(BATCHING)
    wire = ctx.exclusive()
    wire.drain()
    ids = [f"mcptest-batch-{wire.next_id()}", f"mcptest-batch-{wire.next_id()}"]
    batch = [{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in ids]
    answers = _batch_answers(ctx, wire, batch)
    got = {m.get("id") for m in answers if isinstance(m, dict) and "result" in m}
    if got != set(ids):
        raise ctx.violation("BASE-10", f"results for both batched pings (ids {ids})",
                            show(answers) if answers else "no answer", 
                            wire=wire, sent=batch)


def _flatten(messages: list[Any]) -> list[Any]:
    return [m for item in messages for m in (item if isinstance(item, list) else [item])]


def _answers_to(wanted: set[Any]) -> Callable[[Any], bool]:
    """A predicate for a batch's answers: an array, or a response to one of ``wanted``."""
    return lambda m: isinstance(m, list) or (isinstance(m, dict) and m.get("id") in wanted)


def _batch_answers(ctx: CheckContext, wire: Wire, batch: list[dict[str, Any]]) -> list[Any]:
    if isinstance(wire, HttpWire):
        return _flatten(wire.post(batch).messages)
    wanted = {m["id"] for m in batch}
    wire.send(batch)
    answers = after_sentinels(ctx, wire, _answers_to(wanted))
    return _flatten(answers)


@check("BASE-11", "jsonrpc", "batches are rejected outside 2025-03-26", phase="exclusive", order=31)
def batch_rejected(ctx: CheckContext) -> None:
    if ctx.transport != "stdio":
        raise NotApplicable(_by_status(ctx, "HTTP-11"))
    wire = ctx.exclusive()
    wire.drain()
    first, second = wire.next_id(), wire.next_id()
    batch = [{"jsonrpc": "2.0", "id": rid, "method": cheap_method(ctx)} for rid in (first, second)]
    if wire.envelope is not None:
        for message in batch:
            message["params"] = {"_meta": wire.envelope.meta()}
    wire.send(batch)
    answers = after_sentinels(ctx, wire, lambda m: isinstance(m, list) or is_response(m))
    processed = [a for a in _flatten(answers) if isinstance(a, dict) and "result" in a]
    if processed:
        raise ctx.violation("BASE-11", "the batch rejected (-32600), not executed", show(processed[0]), wire=wire,
                            sent=batch)
    if not any(_is_error(a) for a in _flatten(answers)):
        raise ctx.violation("BASE-11", "an Invalid Request error (-32600) for the batch",
                            "no answer at all, although later requests were answered (silently dropped)", wire=wire,
                            sent=batch)


CAPABILITY_METHODS = {
    "tools": ("tools/list", {}),
    "resources": ("resources/list", {}),
    "prompts": ("prompts/list", {}),
    "logging": ("logging/setLevel", {"level": "info"}),
    "completions": ("completion/complete",
                    {"ref": {"type": "ref/prompt", "name": "mcptest"}, "argument": {"name": "a", "value": ""}}),
}


@check("BASE-12", "jsonrpc", "undeclared capabilities answer -32601")
def undeclared_capabilities(ctx: CheckContext) -> None:
    absent = [(cap, probe) for cap, probe in CAPABILITY_METHODS.items() if not ctx.surface.has(cap)]
    resources = ctx.surface.capabilities.get("resources")
    if isinstance(resources, dict) and resources.get("subscribe") is not True:
        absent.append(("resources.subscribe", ("resources/subscribe", {"uri": "mcptest://probe"})))
    if not absent:
        raise NotApplicable("the server declares every capability this check probes")
    wire = ctx.wire()
    for cap, (method, params) in absent:
        reply = wire.request(method, params)
        if reply.error_code != -32601:
            raise ctx.violation("BASE-12", f"{method} answered with -32601 since {cap!r} is not declared",
                                show(reply.response), wire=wire, sent=reply.request)
