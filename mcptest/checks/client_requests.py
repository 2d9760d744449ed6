"""Requests the server sends to the client (LIFE-06/07, BASE-14, CAP-01..03): ids, timing, negotiated capabilities.

Every server->client request is recorded by the run's observer with the capabilities its connection declared.
The suite's own connections declare none, so whatever the server asks of them is LIFE-07's to judge. A second
connection whose client declares sampling and elicitation (form mode, no URL mode, no ``sampling.tools``) and
answers automatically exercises the server again, so the sub-capability rules (CAP-01, CAP-02) and a roots
request to a client that declared other capabilities but not roots (CAP-03) can be observed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import example_calls
from mcptest.checks.jsonrpc import after_sentinels
from mcptest.findings import NotApplicable
from mcptest.wire import Reply, Wire
from mcptest.wire.base import CLIENT_INFO
from mcptest.wire.client import ClientBehaviour

NEEDS = {"sampling/createMessage": "sampling", "elicitation/create": "elicitation", "roots/list": "roots"}
"""The server->client requests of the handshake era and the client capability each one needs."""
PARTLY_CAPABLE = {"sampling": {}, "elicitation": {"form": {}}}
"""What the second connection declares: enough to be asked, not enough for URL mode, tool use or roots."""
Problem = Callable[[dict[str, Any], dict[str, Any]], "str | None"]


def _exercise(ctx: CheckContext, wire: Wire) -> int:
    """Call every safe tool, get every prompt, read every resource on ``wire`` (up to ``--mcp-concurrency`` at a
    time); how many requests were answered."""
    messages = [message for _, message in example_calls(ctx, wire)]
    for prompt in ctx.surface.items("prompts"):
        arguments = prompt.get("arguments") if isinstance(prompt.get("arguments"), list) else []
        filled = {a["name"]: "mcptest" for a in arguments if isinstance(a, dict) and isinstance(a.get("name"), str)}
        messages.append(wire.message("prompts/get", {"name": prompt.get("name"), "arguments": filled}))
    messages += [wire.message("resources/read", {"uri": r.get("uri")}) for r in ctx.surface.items("resources")]
    # an unanswered request is reported by the check that owns it (TOOL-05, PROMPT-02, RES-08)
    replies = wire.exchange_all(messages, ctx.settings.concurrency)
    return sum(isinstance(reply, Reply) for reply in replies)


def _capable_round(ctx: CheckContext) -> int:
    """Exercise the server once on a connection whose client declares capabilities (once per version); how many
    requests were answered. The observers' prepare step: it runs alongside the shared checks."""

    def capable_round() -> int:
        with ctx.fresh(client=ClientBehaviour({k: dict(v) for k, v in PARTLY_CAPABLE.items()})) as wire:
            answered = _exercise(ctx, wire)
            after_sentinels(ctx, wire, lambda _: False, rounds=1)
            return answered

    return ctx.memo("capable-exercise", capable_round)


def _asked(ctx: CheckContext) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every server->client request of this version (after exercising the server once on a capable connection)."""
    _capable_round(ctx)
    return list(ctx.observed.requests)


def _kind(method: Any) -> str:
    return NEEDS.get(method, "") if isinstance(method, str) else ""


@check("LIFE-07", "lifecycle", "no sampling/elicitation/roots request to a client that declared none",
       phase="observe", prepare=_capable_round)
def nothing_asked_of_plain_client(ctx: CheckContext) -> None:
    asked = [(where, message, caps) for where, message, caps in _asked(ctx) if _kind(message.get("method"))]
    if not asked:
        raise NotApplicable("the server sent no sampling, elicitation or roots request at this version")
    plain = [(where, message) for where, message, caps in asked if not caps]
    if plain:
        where, message = plain[0]
        raise ctx.violation("LIFE-07", "no sampling/createMessage, elicitation/create or roots/list to a client "
                            "whose capabilities are {}", f"{len(plain)} such request(s), first: {show(message)} "
                            f"(over {where})")


def _capable(ctx: CheckContext, method: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``method`` requests sent to connections that declared some capabilities, with those capabilities."""
    found = [(message, caps) for _, message, caps in _asked(ctx) if caps and message.get("method") == method]
    if not found:
        raise NotApplicable(f"the server sent no {method} to a client that declared capabilities at this version")
    return found


def _declared(caps: dict[str, Any], *path: str) -> bool:
    node: Any = caps
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return isinstance(node, dict)


def _judge(ctx: CheckContext, req_id: str, method: str, expected: str, problem: Problem) -> None:
    """Raise for the first ``method`` request to a capable client for which ``problem(params, caps)`` names one."""
    for message, caps in _capable(ctx, method):
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        found = problem(params, caps)
        if found:
            raise ctx.violation(req_id, expected, f"{found}: {show(message)}; client capabilities {show(caps)}")


@check("CAP-01", "lifecycle", "elicitation only in a mode the client declared",
       phase="observe", prepare=_capable_round)
def elicitation_negotiated(ctx: CheckContext) -> None:
    modes = ctx.version >= "2025-11-25"

    def problem(params: dict[str, Any], caps: dict[str, Any]) -> str | None:
        mode, declared = params.get("mode", "form"), caps.get("elicitation")
        if not isinstance(declared, dict):
            return "the client did not declare elicitation"
        if modes and mode == "url" and not _declared(caps, "elicitation", "url"):
            return "URL mode, although the client declared no elicitation.url"
        if modes and mode == "form" and declared and not _declared(caps, "elicitation", "form"):
            return "form mode, although the client declared only other modes"
        return None

    _judge(ctx, "CAP-01", "elicitation/create", "elicitation/create only in a mode the client declared", problem)


@check("CAP-02", "lifecycle", "sampling (with tools) only when the client declared it",
       phase="observe", prepare=_capable_round)
def sampling_negotiated(ctx: CheckContext) -> None:
    tools = ctx.version >= "2025-11-25"

    def problem(params: dict[str, Any], caps: dict[str, Any]) -> str | None:
        if not _declared(caps, "sampling"):
            return "the client did not declare sampling"
        if tools and ("tools" in params or "toolChoice" in params) and not _declared(caps, "sampling", "tools"):
            return "a tool-enabled request, although the client declared no sampling.tools"
        return None

    _judge(ctx, "CAP-02", "sampling/createMessage", "sampling/createMessage only as far as the client declared "
           "sampling", problem)


@check("CAP-03", "lifecycle", "roots/list only when the client declared roots",
       phase="observe", prepare=_capable_round)
def roots_negotiated(ctx: CheckContext) -> None:
    _judge(ctx, "CAP-03", "roots/list", "roots/list only to a client that declared roots",
           lambda _, caps: None if _declared(caps, "roots") else "the client did not declare roots")


@check("BASE-14", "jsonrpc", "server requests have unique string or integer ids",
       phase="observe", prepare=_capable_round)
def server_request_ids(ctx: CheckContext) -> None:
    _asked(ctx)
    wires = [w for w in ctx.handle.observer.wires() if w.protocol_version == ctx.version and w.server_requests]
    if not wires:
        raise NotApplicable("the server sent no request at this version, so no request id could be judged")
    for wire in wires:
        seen: dict[str, dict[str, Any]] = {}
        for message in wire.server_requests:
            rid = message.get("id")
            if isinstance(rid, bool) or not isinstance(rid, (str, int)):
                raise ctx.violation("BASE-14", "a string or integer id on every request the server sends",
                                    f"id {show(rid)} in {show(message)}", wire=wire)
            key = f"{type(rid).__name__}:{rid}"
            if key in seen:
                raise ctx.violation("BASE-14", "a request id not used before by the server on the same connection",
                                    f"id {show(rid)} used twice: {show(seen[key], 150)} and {show(message, 150)}",
                                    wire=wire)
            seen[key] = message


@check("LIFE-06", "lifecycle", "no requests before the initialized notification")
def nothing_asked_before_initialized(ctx: CheckContext) -> None:
    # a connection of its own (ctx.fresh), so a shared check: it runs alongside the others, not in the lane's line
    client = ClientBehaviour({k: dict(v) for k, v in PARTLY_CAPABLE.items()} | {"roots": {"listChanged": True}})
    with ctx.fresh(client=client, ready=False) as wire:
        params = {"protocolVersion": ctx.version, "capabilities": client.capabilities, "clientInfo": CLIENT_INFO}
        reply = wire.request("initialize", params, envelope=False)
        if not reply.ok:
            raise NotApplicable(f"initialize was refused on a new connection: {show(reply.response)}")
        for _ in range(2):  # pings are allowed before `initialized`: each answer shows the server had its chance
            wire.request("ping")
        early = [m for m in wire.server_requests if m.get("method") != "ping"]
        if early:
            raise ctx.violation("LIFE-06", "no request other than ping before notifications/initialized",
                                f"{len(early)} request(s) while initialized was withheld, first: {show(early[0])}",
                                wire=wire, sent=reply.request)
        if not wire.server_requests:
            raise NotApplicable("the server sent no request while notifications/initialized was withheld")
