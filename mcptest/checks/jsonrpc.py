"""JSON-RPC 2.0 framing checks (BASE-*): message shape, ids, errors, notifications, malformed input."""

from __future__ import annotations

from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable
from mcptest.spec.versions import BATCHING
from mcptest.wire import HttpWire, Wire
from mcptest.wire.base import is_response, same_id

UNKNOWN_METHOD = "mcptest/no-such-method"


def frame_problem(message: Any) -> str | None:
    """Why ``message`` is not a valid JSON-RPC 2.0 message, or None."""
    if not isinstance(message, dict):
        return f"a JSON {type(message).__name__}, not an object"
    if message.get("jsonrpc") != "2.0":
        return f'"jsonrpc" is {show(message.get("jsonrpc"))}, not "2.0"'
    has_method, has_id = "method" in message, "id" in message
    has_result, has_error = "result" in message, "error" in message
    if has_method:
        if not isinstance(message["method"], str):
            return "method is not a string"
        if has_result or has_error:
            return "a request/notification must not carry result or error"
        if has_id and not (isinstance(message["id"], (str, int)) and not isinstance(message["id"], bool)):
            return f"request id {show(message['id'])} is not a string or integer"
        return None
    if not (has_result or has_error):
        return "neither a request (method) nor a response (result/error)"
    if not has_id:
        return "a response without an id member"
    return None


@check("BASE-01", "jsonrpc", "every message is JSON-RPC 2.0")
def every_frame_is_jsonrpc(ctx: CheckContext) -> None:
    with ctx.fresh() as wire:
        received = [wire.request("ping").response]
        if ctx.surface.has("tools"):
            received.append(wire.request("tools/list").response)
        received.append(wire.request(UNKNOWN_METHOD).response)
        for message in received + wire.unsolicited:
            problem = frame_problem(message)
            if problem:
                raise ctx.violation("BASE-01", "a JSON-RPC 2.0 message", f"{problem}: {show(message)}", wire=wire)


@check("BASE-02", "jsonrpc", "response ids echo request ids exactly")
def ids_echoed_exactly(ctx: CheckContext) -> None:
    wire = ctx.wire()
    for rid in ("mcptest-id-1", 42, 0, -1):
        reply = wire.request("ping", id=rid)
        got = reply.response.get("id")
        if not same_id(got, rid):
            raise ctx.violation("BASE-02", f"id {show(rid)} ({type(rid).__name__})", f"id {show(got)}", wire=wire, sent=reply.request)


@check("BASE-03", "jsonrpc", "responses have exactly one of result/error")
def result_xor_error(ctx: CheckContext) -> None:
    wire = ctx.wire()
    for method in ("ping", UNKNOWN_METHOD):
        reply = wire.request(method)
        response = reply.response
        if ("result" in response) == ("error" in response):
            raise ctx.violation("BASE-03", "exactly one of result or error", show(response), wire=wire, sent=reply.request)
        error = response.get("error")
        if "error" in response:
            if not isinstance(error, dict):
                raise ctx.violation("BASE-03", "error to be an object", show(error), wire=wire, sent=reply.request)
            code = error.get("code")
            if not isinstance(code, int) or isinstance(code, bool) or not isinstance(error.get("message"), str):
                raise ctx.violation("BASE-03", "error.code an integer and error.message a string", show(error), wire=wire, sent=reply.request)


@check("BASE-04", "jsonrpc", "notifications are never answered")
def notifications_unanswered(ctx: CheckContext) -> None:
    wire = ctx.wire()
    wire.notify("notifications/cancelled", {"requestId": "mcptest-never-sent", "reason": "mcptest probe"})
    wire.notify("notifications/mcptest/unknown", {"probe": True})
    reply = wire.request("ping")
    late = wire.collect(0.1)
    stray = [m for m in wire.unsolicited + late if is_response(m)]
    wire.unsolicited.clear()
    if stray:
        raise ctx.violation("BASE-04", "no response to notifications", f"answered with {show(stray[0])}", wire=wire)
    if not reply.ok:
        raise ctx.violation("BASE-04", "the server to keep serving after notifications", show(reply.response), wire=wire)


def _is_error(message: Any) -> bool:
    return isinstance(message, dict) and isinstance(message.get("error"), dict)


def _expect_error(ctx: CheckContext, wire: Wire, req_id: str, payload: bytes, code: int, what: str) -> None:
    if wire.transport == "http":
        raise NotApplicable("over HTTP this is judged by the HTTP status (HTTP-11/HTTP-12)")
    wire.send(payload)
    answers = wire.collect(0.5, until=_is_error)
    errors = [m for m in answers if _is_error(m)]
    if not errors:
        others = [m for m in answers if is_response(m)]
        got = show(others[0]) if others else "no answer at all (the input was silently dropped)"
        raise ctx.violation(req_id, f"an error response {code} with id null for {what}", got, wire=wire, sent=payload.decode())
    error = errors[0]
    if error["error"].get("code") != code or error.get("id") is not None:
        raise ctx.violation(req_id, f"error code {code} with id null", show(error), wire=wire, sent=payload.decode())
    reply = wire.request("ping")
    if not reply.ok:
        raise ctx.violation(req_id, "the server to keep serving afterwards", show(reply.response), wire=wire)


@check("BASE-05", "jsonrpc", "invalid JSON gets a parse error")
def parse_error(ctx: CheckContext) -> None:
    with ctx.fresh() as wire:
        _expect_error(ctx, wire, "BASE-05", b'{"jsonrpc": "2.0", "id": 1, "method": "ping"\n', -32700, "invalid JSON")


@check("BASE-06", "jsonrpc", "invalid request objects get -32600")
def invalid_request(ctx: CheckContext) -> None:
    with ctx.fresh() as wire:
        _expect_error(ctx, wire, "BASE-06", b'{"jsonrpc": "1.0", "id": 7, "method": "ping"}\n', -32600, '"jsonrpc": "1.0"')
        _expect_error(ctx, wire, "BASE-06", b'{"jsonrpc": "2.0", "id": 8, "method": 1}\n', -32600, "a non-string method")


@check("BASE-07", "jsonrpc", "unknown methods get -32601")
def method_not_found(ctx: CheckContext) -> None:
    wire = ctx.wire()
    reply = wire.request(UNKNOWN_METHOD, {})
    if reply.error_code != -32601:
        raise ctx.violation("BASE-07", "error -32601 (Method not found)", show(reply.response), wire=wire, sent=reply.request)


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
    for method, params in probes:
        reply = wire.request(method, params)
        if reply.error_code != -32602:
            raise ctx.violation("BASE-08", f"{method} with params {show(params)} answered with -32602", show(reply.response), wire=wire, sent=reply.request)


@check("BASE-09", "jsonrpc", "unknown members are ignored")
def extra_members_ignored(ctx: CheckContext) -> None:
    wire = ctx.wire()
    message = {"jsonrpc": "2.0", "id": wire.next_id(), "method": "ping", "params": {"mcptestExtra": 1}, "mcptestExtra": True}
    reply = wire.exchange(message, timeout=min(ctx.timeout, 5.0))
    if not reply.ok:
        raise ctx.violation("BASE-09", "a normal ping result", show(reply.response), wire=wire, sent=message)


@check("BASE-10", "jsonrpc", "batches are answered at 2025-03-26")
def batch_at_2025_03_26(ctx: CheckContext) -> None:
    with ctx.fresh(version="2025-03-26") as wire:
        if wire.protocol_version != "2025-03-26":
            raise NotApplicable(f"the server does not speak 2025-03-26 (it answered {wire.protocol_version})")
        ids = [f"mcptest-batch-{wire.next_id()}", f"mcptest-batch-{wire.next_id()}"]
        batch = [{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in ids]
        answers = _batch_answers(wire, batch)
        got = {m.get("id") for m in answers if isinstance(m, dict) and "result" in m}
        if got != set(ids):
            raise ctx.violation("BASE-10", f"results for both batched pings (ids {ids})", show(answers) if answers else "no answer", wire=wire, sent=batch)


def _batch_answers(wire: Wire, batch: list[dict[str, Any]]) -> list[Any]:
    if isinstance(wire, HttpWire):
        return wire.post(batch).messages
    wire.send(batch)
    answers: list[Any] = []
    wanted = {m["id"] for m in batch}

    def complete(item: Any) -> bool:
        answers.extend(item if isinstance(item, list) else [item])
        return wanted <= {a.get("id") for a in answers if isinstance(a, dict)}

    wire.collect(1.0, until=complete)
    return answers


@check("BASE-11", "jsonrpc", "batches are rejected outside 2025-03-26")
def batch_rejected(ctx: CheckContext) -> None:
    if ctx.version in BATCHING:
        raise NotApplicable(f"{ctx.version} requires batch support; batches are allowed there")
    if ctx.transport == "http":
        raise NotApplicable("over HTTP this is judged by the HTTP status (HTTP-11)")
    wire = ctx.wire()
    first, second = wire.next_id(), wire.next_id()
    batch = [{"jsonrpc": "2.0", "id": first, "method": "ping"}, {"jsonrpc": "2.0", "id": second, "method": "ping"}]
    wire.send(batch)
    answers = wire.collect(0.5, until=lambda m: isinstance(m, list) or _is_error(m))
    processed = [a for a in answers if isinstance(a, list) or (isinstance(a, dict) and "result" in a)]
    if processed:
        raise ctx.violation("BASE-11", "the batch rejected (-32600), not executed", show(processed[0]), wire=wire, sent=batch)
    if not any(_is_error(a) for a in answers):
        raise ctx.violation("BASE-11", "an Invalid Request error (-32600) for the batch", "no answer at all (silently dropped)", wire=wire, sent=batch)


CAPABILITY_METHODS = {
    "tools": ("tools/list", {}),
    "resources": ("resources/list", {}),
    "prompts": ("prompts/list", {}),
    "logging": ("logging/setLevel", {"level": "info"}),
    "completions": ("completion/complete", {"ref": {"type": "ref/prompt", "name": "mcptest"}, "argument": {"name": "a", "value": ""}}),
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
            raise ctx.violation("BASE-12", f"{method} answered with -32601 since {cap!r} is not declared", show(reply.response), wire=wire, sent=reply.request)
