"""2026-07-28 subscriptions: subscriptions/listen acknowledgment, filtering, correlation (MOD-13/24/25/14, MHTTP-14)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import example_calls
from mcptest.findings import NotApplicable
from mcptest.wire import HttpWire, Wire
from mcptest.wire.base import is_notification
from mcptest.wire.envelope import PREFIX

AREA = "modern"
ACK = "notifications/subscriptions/acknowledged"
SUBSCRIPTION_KEY = PREFIX + "subscriptionId"
LISTEN_PREFIX = "mcptest-listen-"
FILTER_KEYS = {
    "notifications/tools/list_changed": "toolsListChanged",
    "notifications/prompts/list_changed": "promptsListChanged",
    "notifications/resources/list_changed": "resourcesListChanged",
}
UPDATED = "notifications/resources/updated"
_IDS = itertools.count(1)


@dataclass
class Listened:
    """What one subscriptions/listen stream carried, in order, and how it was answered."""

    request: dict[str, Any]
    wanted: dict[str, Any]
    transport: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    response: dict[str, Any] | None = None
    acked: bool = False
    streamed: bool = False

    @property
    def id(self) -> str:
        return str(self.request["id"])

    def after_ack(self) -> list[dict[str, Any]]:
        """The notifications after the acknowledgment."""
        index = next((i for i, m in enumerate(self.messages) if m.get("method") == ACK), None)
        return [] if index is None else self.messages[index + 1:]


def subscription_id(message: dict[str, Any]) -> Any:
    """The ``io.modelcontextprotocol/subscriptionId`` of a notification (None when absent)."""
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
    return meta.get(SUBSCRIPTION_KEY)


def wanted_filter(ctx: CheckContext) -> dict[str, Any]:
    """Every notification type the server's capabilities say it can send."""
    wanted: dict[str, Any] = {}
    for capability, key in (("tools", "toolsListChanged"), ("prompts", "promptsListChanged"),
                            ("resources", "resourcesListChanged")):
        if ctx.surface.flag(capability, "listChanged"):
            wanted[key] = True
    uris = [r.get("uri") for r in ctx.surface.items("resources")[:5] if isinstance(r.get("uri"), str)]
    if ctx.surface.flag("resources", "subscribe") and uris:
        wanted["resourceSubscriptions"] = uris
    return wanted


def _belongs(message: Any, lid: str, transport: str) -> bool:
    """Whether a notification seen while listening is part of the stream ``lid``."""
    if not is_notification(message):
        return False
    if transport == "http":
        return True  # the stream's own POST carried it
    method = message.get("method")
    return subscription_id(message) == lid or method in FILTER_KEYS or method == UPDATED


@contextlib.contextmanager
def _listen_wire(ctx: CheckContext) -> Iterator[Wire]:
    if ctx.transport == "http":
        with ctx.fresh() as wire:  # closing it closes the stream: the HTTP way to end a subscription
            yield wire
    else:
        yield ctx.exclusive()


def _trigger(ctx: CheckContext, wire: Wire) -> None:
    """Call every safe tool once on ``wire``, up to ``--mcp-concurrency`` at a time (a change the server announces
    may follow from one)."""
    wire.exchange_all([message for _, message in example_calls(ctx, wire)], ctx.settings.concurrency)


def listen(ctx: CheckContext) -> Listened:
    """Open one subscriptions/listen stream for every declared notification type, provoke, close (once per version)."""

    def run() -> Listened:
        with _listen_wire(ctx) as wire:
            wanted = wanted_filter(ctx)
            request = wire.message("subscriptions/listen", {"notifications": wanted}, id=f"{LISTEN_PREFIX}{next(_IDS)}",
                                   progress=False)
            seen = Listened(request, wanted, ctx.transport)
            wire.drain()
            call = wire.begin(request)
            seen.acked = call.wait_for(lambda r: any(n.get("method") == ACK for n in r.notifications), ctx.timeout)
            seen.streamed = seen.acked and not call.done
            if seen.acked and not call.done:
                _trigger(ctx, wire)
                wire.request("server/discover", {})  # answered after anything the triggers caused on stdio
            seen.messages = [m for m in call.reply.notifications if _belongs(m, seen.id, ctx.transport)]
            seen.response = call.reply.response or None
            call.abandon()
            if isinstance(wire, HttpWire):
                return seen
            wire.notify("notifications/cancelled", {"requestId": seen.id, "reason": "mcptest: listen check done"})
            wire.request("server/discover", {})
            late = [m for m in wire.drain() if _belongs(m, seen.id, "stdio")]
            seen.messages += [m for m in late if m not in seen.messages]
            return seen

    return ctx.memo(("listen",), run)


def _opened(ctx: CheckContext) -> Listened:
    seen = listen(ctx)
    response = seen.response or {}
    if not seen.acked and isinstance(response.get("error"), dict):
        if response["error"].get("code") == -32601 and not seen.wanted:
            raise NotApplicable("the server declares no listChanged or subscribe capability and does not serve "
                                "subscriptions/listen")
    return seen


@check("MOD-13", AREA, "subscriptions/listen is acknowledged first", phase="exclusive", order=50)
def acknowledged_first(ctx: CheckContext) -> None:
    seen = _opened(ctx)
    if not seen.acked:
        got = show(seen.response) if seen.response else f"nothing within {ctx.timeout:g} s"
        raise ctx.violation("MOD-13", f"{ACK} on the stream", got, sent=seen.request)
    ours = [m for m in seen.messages if subscription_id(m) == seen.id or seen.transport == "http"]
    first = ours[0] if ours else None
    if first is None or first.get("method") != ACK:
        raise ctx.violation("MOD-13", f"{ACK} as the first message of the subscription", show(first), sent=seen.request)
    if subscription_id(first) != seen.id:
        raise ctx.violation("MOD-13", f"the acknowledgment's _meta[{SUBSCRIPTION_KEY!r}] = {seen.id!r} (the listen "
                            "request's id)", show(first), sent=seen.request)


def _allowed(message: dict[str, Any], seen: Listened) -> bool:
    method = message.get("method")
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    if method in FILTER_KEYS:
        return seen.wanted.get(FILTER_KEYS[method]) is True
    if method == UPDATED:
        return params.get("uri") in (seen.wanted.get("resourceSubscriptions") or [])
    return method == "notifications/cancelled" and params.get("requestId") == seen.id


@check("MOD-24", AREA, "a listen stream carries only requested notification types", phase="exclusive", order=51)
def only_requested(ctx: CheckContext) -> None:
    seen = _opened(ctx)
    later = seen.after_ack()
    if not later:
        raise NotApplicable("no notification arrived on the listen stream after its acknowledgment")
    stray = [m for m in later if not _allowed(m, seen)]
    if stray:
        raise ctx.violation("MOD-24", f"only the requested types ({show(seen.wanted)})", show(stray[0]),
                            sent=seen.request)


@check("MOD-25", AREA, "listen notifications carry the subscription id", phase="exclusive", order=52)
def carries_subscription_id(ctx: CheckContext) -> None:
    seen = _opened(ctx)
    later = [m for m in seen.after_ack() if m.get("method") in FILTER_KEYS or m.get("method") == UPDATED]
    if not later:
        raise NotApplicable("no change notification arrived on the listen stream")
    unmarked = [m for m in later if subscription_id(m) != seen.id]
    if unmarked:
        raise ctx.violation("MOD-25", f"_meta[{SUBSCRIPTION_KEY!r}] = {seen.id!r} on every notification of the stream",
                            show(unmarked[0]), sent=seen.request)


@check("MHTTP-14", "mhttp", "subscriptions/listen is answered with an SSE stream", phase="exclusive", order=53)
def listen_is_a_stream(ctx: CheckContext) -> None:
    ctx.require_transport("http")
    seen = _opened(ctx)
    ended = seen.response is not None and "result" in seen.response
    if not seen.acked and not ended:
        raise NotApplicable("the listen request was neither acknowledged nor answered (MOD-13 reports it)")
    if not seen.streamed:
        raise ctx.violation("MHTTP-14", "an SSE stream that stays open after the acknowledgment",
                            f"the answer ended with {show(seen.response)}", sent=seen.request)


@check("MOD-14", AREA, "notifications/cancelled only ends a listen stream", phase="observe")
def cancelled_only_for_listen(ctx: CheckContext) -> None:
    notes = ctx.observed.notes("notifications/cancelled")
    if not notes:
        raise NotApplicable("the server sent no notifications/cancelled at this version")
    for params in notes:
        rid = params.get("requestId")
        if not (isinstance(rid, str) and rid.startswith(LISTEN_PREFIX)):
            raise ctx.violation("MOD-14", "notifications/cancelled only for a subscriptions/listen request",
                                f"requestId {show(rid)} (not a listen request): {show(params)}")


__all__ = ["ACK", "Listened", "listen", "subscription_id"]
