"""What the server sends unprompted: list_changed when declared, resource updates when subscribed, _meta keys."""

from __future__ import annotations

import re
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import example_calls
from mcptest.checks.jsonrpc import after_sentinels
from mcptest.findings import NotApplicable
from mcptest.wire import Reply, Wire

UPDATED = "notifications/resources/updated"
_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
META_KEY = re.compile(rf"^(?:{_LABEL}(?:\.{_LABEL})*/)?(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?$")
"""A ``_meta`` key: an optional prefix of dot-separated labels and a slash, then a name that is empty or begins and
ends with an alphanumeric character (basic, ``_meta``)."""


def _list_changed(ctx: CheckContext, req_id: str, capability: str) -> None:
    method = f"notifications/{capability}/list_changed"
    sent = ctx.observed.notes(method)
    if not sent:
        raise NotApplicable(f"the server sent no {method} at this version, so none could be judged")
    if not ctx.surface.flag(capability, "listChanged"):
        declared = ctx.surface.capabilities.get(capability)
        raise ctx.violation(req_id, f"{method} only after declaring {capability}.listChanged: true",
                            f"{len(sent)} sent, although capabilities.{capability} is {show(declared)}")


@check("TOOL-11", "tools", "tools/list_changed only when declared", phase="observe")
def tools_list_changed(ctx: CheckContext) -> None:
    _list_changed(ctx, "TOOL-11", "tools")


@check("RES-06", "resources", "resources/list_changed only when declared", phase="observe")
def resources_list_changed(ctx: CheckContext) -> None:
    _list_changed(ctx, "RES-06", "resources")


@check("PROMPT-05", "prompts", "prompts/list_changed only when declared", phase="observe")
def prompts_list_changed(ctx: CheckContext) -> None:
    _list_changed(ctx, "PROMPT-05", "prompts")


def _under(uri: Any, subscribed: set[str]) -> bool:
    """True when ``uri`` is a subscribed URI or a sub-resource of one (the schema allows both)."""
    if not isinstance(uri, str):
        return False
    return any(uri == base or uri.startswith(base.rstrip("/") + "/") for base in subscribed)


def _provoke(ctx: CheckContext, wire: Wire) -> int:
    """Call every safe tool once and read every listed resource on ``wire`` (what may change a resource), up to
    ``--mcp-concurrency`` at a time; how many were answered."""
    messages = [message for _, message in example_calls(ctx, wire)]
    messages += [wire.message("resources/read", {"uri": r.get("uri")}) for r in ctx.surface.items("resources")]
    return sum(isinstance(reply, Reply) for reply in wire.exchange_all(messages, ctx.settings.concurrency))


@check("RES-09", "resources", "resource updates only for subscribed URIs", phase="exclusive", order=50)
def updates_only_when_subscribed(ctx: CheckContext) -> None:
    ctx.require("resources")
    wire = ctx.exclusive()
    wire.drain()
    subscribed: set[str] = set()
    listed = [r.get("uri") for r in ctx.surface.items("resources") if isinstance(r.get("uri"), str)]
    if ctx.surface.flag("resources", "subscribe") and listed:
        reply = wire.request("resources/subscribe", {"uri": listed[0]})
        if reply.ok:
            subscribed.add(listed[0])
    try:
        if not _provoke(ctx, wire):
            raise NotApplicable("no tool the suite may call and no listed resource: nothing could cause an update")
        updates = after_sentinels(ctx, wire, lambda m: isinstance(m, dict) and m.get("method") == UPDATED)
    finally:
        for uri in subscribed:
            wire.request("resources/unsubscribe", {"uri": uri})
    if not updates:
        raise NotApplicable(f"no {UPDATED} arrived while tools were called and resources read on a connection "
                            f"subscribed to {sorted(subscribed) or 'nothing'}")
    stray = [u for u in updates if not _under((u.get("params") or {}).get("uri"), subscribed)]
    if stray:
        raise ctx.violation("RES-09", f"{UPDATED} only for subscribed URIs ({sorted(subscribed) or 'none'})",
                            f"{len(stray)} for other URIs, first: {show(stray[0])}", wire=wire)


@check("BASE-13", "jsonrpc", "_meta keys follow the naming rules", phase="observe")
def meta_key_names(ctx: CheckContext) -> None:
    metas = ctx.observed.meta
    if not metas:
        raise NotApplicable("the server sent no _meta object at this version, so no key could be judged")
    for transport, meta in metas:
        bad = [key for key in meta if not META_KEY.match(key)]
        if bad:
            raise ctx.violation("BASE-13", "_meta keys of an optional prefix (labels separated by dots, then /) and a "
                                "name that begins and ends with a letter or digit",
                                f"{show(bad[:5])} in {show(meta, 200)} (over {transport})")
