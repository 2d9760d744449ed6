"""2026-07-28 multi round-trip requests (MOD-10/11/21/22/23): InputRequiredResult, capabilities, requestState."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import example_calls, exercise, safe_tools
from mcptest.checks.examples import example_arguments
from mcptest.discovery import LISTS
from mcptest.findings import NotApplicable
from mcptest.wire import Reply, Wire
from mcptest.wire.client import ROOT_URI, SAMPLED_TEXT
from mcptest.wire.envelope import CAPABILITIES_KEY

AREA = "modern"
INPUT_REQUIRED = "input_required"
CAPABLE: dict[str, Any] = {"roots": {}, "sampling": {}, "elicitation": {"form": {}}}
"""A 2026-07-28 client that can answer every kind of input request (form elicitation, sampling, roots)."""
CAPABLE_META = {CAPABILITIES_KEY: CAPABLE}
NEEDS = {"elicitation/create": "elicitation", "sampling/createMessage": "sampling", "roots/list": "roots"}


@dataclass(frozen=True)
class Asked:
    """A tool call made by a capable client and the InputRequiredResult it got."""

    tool: dict[str, Any]
    arguments: dict[str, Any]
    request: dict[str, Any]
    result: dict[str, Any]

    @property
    def methods(self) -> list[str]:
        requests = self.result.get("inputRequests")
        values = requests.values() if isinstance(requests, dict) else []
        return [str(v.get("method")) for v in values if isinstance(v, dict)]


def input_required(result: Any) -> bool:
    return isinstance(result, dict) and result.get("resultType") == INPUT_REQUIRED


def capable_calls(ctx: CheckContext) -> list[Asked]:
    """Every safe tool called once by a client declaring elicitation, sampling and roots; the input-required ones."""

    def run() -> list[Asked]:
        wire = ctx.wire()  # stateless: the capabilities are the request's own, in its _meta
        calls = example_calls(ctx, wire, meta=CAPABLE_META)
        replies = wire.exchange_all([message for _, message in calls], ctx.settings.concurrency)
        return [Asked(tool, message["params"]["arguments"], reply.request, reply.result)
                for (tool, message), reply in zip(calls, replies, strict=True)
                if isinstance(reply, Reply) and input_required(reply.result)]

    return ctx.memo(("mrtr-capable",), run)


def plain_calls(ctx: CheckContext) -> list[Any]:
    """The shared connection's example calls (its requests declare no client capability)."""
    calls = []
    for tool in safe_tools(ctx):
        try:
            calls.append(exercise(ctx, tool))
        except NotApplicable:
            continue
    return calls


@check("MOD-10", AREA, "an InputRequiredResult carries inputRequests or requestState")
def input_required_shape(ctx: CheckContext) -> None:
    found = [(a.request, a.result) for a in capable_calls(ctx)]
    found += [(c.reply.request, c.result) for c in plain_calls(ctx) if input_required(c.result)]
    if not found:
        raise NotApplicable("no tool answered with an InputRequiredResult, for a capable client or a plain one")
    for request, result in found:
        if "inputRequests" not in result and "requestState" not in result:
            raise ctx.violation("MOD-10", "inputRequests or requestState in the InputRequiredResult", show(result),
                                sent=request)


def undeclared(methods_and_params: list[tuple[str, Any]], capabilities: dict[str, Any]) -> str | None:
    """The first input request that needs a capability ``capabilities`` does not declare (None when all are)."""
    for method, params in methods_and_params:
        need = NEEDS.get(method)
        declared = capabilities.get(need) if need else None
        if need and not isinstance(declared, dict):
            return f"{method} although {need!r} is not declared"
        params = params if isinstance(params, dict) else {}
        if method == "elicitation/create" and params.get("mode") == "url" and "url" not in (declared or {}):
            return "a URL-mode elicitation although elicitation.url is not declared"
        if method == "sampling/createMessage" and "tools" in params and "tools" not in (declared or {}):
            return "sampling with tools although sampling.tools is not declared"
    return None


def _requests(result: dict[str, Any]) -> list[tuple[str, Any]]:
    requests = result.get("inputRequests")
    values = requests.values() if isinstance(requests, dict) else []
    return [(str(v.get("method")), v.get("params")) for v in values if isinstance(v, dict)]


@check("MOD-22", AREA, "no input request for an undeclared client capability")
def only_declared_inputs(ctx: CheckContext) -> None:
    judged = [(c.reply.request, c.result, {}) for c in plain_calls(ctx) if input_required(c.result)]
    judged += [(a.request, a.result, CAPABLE) for a in capable_calls(ctx)]
    if not judged:
        raise NotApplicable("no tool answered with an InputRequiredResult, so no input request could be judged")
    for request, result, capabilities in judged:
        problem = undeclared(_requests(result), capabilities)
        if problem:
            raise ctx.violation("MOD-22", f"input requests only for declared capabilities ({show(capabilities)})",
                                f"{problem}: {show(result)}", sent=request)


@check("MOD-23", AREA, "an undeclared but required capability gets -32021")
def missing_capability_error(ctx: CheckContext) -> None:
    needy = [a for a in capable_calls(ctx) if a.methods]
    if not needy:
        raise NotApplicable("no tool asked a capable client for input, so none needs a client capability")
    for asked in needy:
        call = exercise(ctx, asked.tool)  # the same call from a client that declares no capability
        error = call.reply.error
        if error is None:
            continue  # served without the capability (or asked for nothing it lacks: MOD-22's to judge)
        data = error.get("data")
        if error.get("code") != -32021 or not isinstance((data or {}).get("requiredCapabilities"), dict):
            asked_for = ", ".join(asked.methods)
            raise ctx.violation("MOD-23", "MissingRequiredClientCapabilityError (-32021), data.requiredCapabilities "
                                f"(with full capabilities the tool asked for {asked_for})",
                                show(call.reply.response), sent=call.reply.request)


@check("MOD-21", AREA, "only tools/call, prompts/get and resources/read answer input_required")
def input_required_only_where_allowed(ctx: CheckContext) -> None:
    judged: list[tuple[str, Any]] = [("server/discover", ctx.surface.init)]
    for kind, listing in ctx.surface.listings.items():
        judged += [(LISTS[kind][0], page) for page in listing.results]
    for method, result in judged:
        if input_required(result):
            raise ctx.violation("MOD-21", f"no InputRequiredResult for {method}", show(result), sent={"method": method})


def answers(result: dict[str, Any]) -> dict[str, Any]:
    """What a capable client answers to each input request of ``result``."""
    canned: dict[str, Any] = {}
    for key, request in (result.get("inputRequests") or {}).items():
        method = request.get("method") if isinstance(request, dict) else None
        params = request.get("params") if isinstance(request, dict) and isinstance(request.get("params"), dict) else {}
        if method == "elicitation/create":
            canned[key] = {"action": "accept", "content": example_arguments(params.get("requestedSchema"))}
        elif method == "sampling/createMessage":
            canned[key] = {"role": "assistant", "content": {"type": "text", "text": SAMPLED_TEXT}, "model": "mcptest",
                           "stopReason": "endTurn"}
        elif method == "roots/list":
            canned[key] = {"roots": [{"uri": ROOT_URI, "name": "mcptest"}]}
    return canned


def _mutate(value: Any) -> tuple[Any, bool]:
    """``value`` with its first scalar changed (numbers +1, strings extended, booleans flipped)."""
    if isinstance(value, bool):
        return (not value), True
    if isinstance(value, (int, float)):
        return value + 1, True
    if isinstance(value, str):
        return value + "x", True
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in list(items):
        changed, done = _mutate(child)
        if done:
            copy = dict(value) if isinstance(value, dict) else list(value)
            copy[key] = changed
            return copy, True
    return value, False


def tampered(state: str) -> str:
    """``state`` changed the way an attacker would: decoded and edited when it is (base64) JSON, else one byte."""
    for decode, encode in ((base64.urlsafe_b64decode, base64.urlsafe_b64encode), (base64.b64decode, base64.b64encode)):
        try:
            decoded = json.loads(decode(state + "=" * (-len(state) % 4)))
        except (binascii.Error, ValueError):
            continue
        changed, done = _mutate(decoded)
        if done:
            text = encode(json.dumps(changed, separators=(",", ":")).encode()).decode()
            return text if state.endswith("=") else text.rstrip("=")
    middle = len(state) // 2
    flipped = "A" if state[middle:middle + 1] != "A" else "B"
    return state[:middle] + flipped + state[middle + 1:]


def _retry(wire: Wire, asked: Asked, state: str) -> Any:
    params = {"name": asked.tool.get("name"), "arguments": asked.arguments, "inputResponses": answers(asked.result),
              "requestState": state}
    return wire.request("tools/call", params, meta=CAPABLE_META)


@check("MOD-11", AREA, "a tampered requestState is not acted on")
def tampered_state(ctx: CheckContext) -> None:
    stateful = [a for a in capable_calls(ctx) if isinstance(a.result.get("requestState"), str)
                and a.result["requestState"]]
    if not stateful:
        raise NotApplicable("no InputRequiredResult carried a requestState")
    wire = ctx.wire()
    for asked in stateful:
        state = asked.result["requestState"]
        genuine = _retry(wire, asked, state)
        if not genuine.ok or input_required(genuine.result) or (genuine.result or {}).get("isError"):
            continue  # no completed outcome to compare a tampered retry with
        forged = _retry(wire, asked, tampered(state))
        changed = forged.ok and not input_required(forged.result) and not (forged.result or {}).get("isError")
        if changed and _outcome(forged.result) != _outcome(genuine.result):
            raise ctx.violation("MOD-11", "a requestState that fails verification rejected (an error, not a "
                                "different result)", f"tampered state accepted: {show(forged.result)} instead of "
                                f"{show(genuine.result)}", wire=wire, sent=forged.request)


def _outcome(result: Any) -> Any:
    if not isinstance(result, dict):
        return result
    return {k: v for k, v in result.items() if k not in ("_meta",)}


__all__ = ["Asked", "CAPABLE", "capable_calls", "input_required", "plain_calls", "tampered", "undeclared"]
