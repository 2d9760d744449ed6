"""Lifecycle checks (LIFE-*): the initialize handshake, version negotiation, pre-init traffic, shutdown."""

from __future__ import annotations

from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable
from mcptest.spec.shapes import shape_problems
from mcptest.spec.versions import HANDSHAKE
from mcptest.wire import Wire
from mcptest.wire.base import CLIENT_INFO

LIST_METHODS = {"tools": "tools/list", "resources": "resources/list", "prompts": "prompts/list"}
BOGUS_VERSION = "1999-01-01"


def _init_params(version: str) -> dict[str, Any]:
    return {"protocolVersion": version, "capabilities": {}, "clientInfo": CLIENT_INFO}


@check("LIFE-01", "lifecycle", "initialize result shape")
def initialize_result(ctx: CheckContext) -> None:
    problems = shape_problems("InitializeResult", ctx.surface.init)
    info = ctx.surface.init.get("serverInfo")
    if isinstance(info, dict) and not isinstance(info.get("version"), str):
        problems.append("serverInfo.version: required string")
    if problems:
        raise ctx.violation("LIFE-01", "protocolVersion, capabilities and serverInfo{name, version}",
                            "; ".join(problems), 
                            sent={"method": "initialize"})


@check("LIFE-02", "lifecycle", "a supported version is echoed")
def supported_version_echoed(ctx: CheckContext) -> None:
    # a shared check: it needs a connection of its own only when the probe's answer differs from the offer (a lane's
    # pristine check would have a process started ahead for it, which the usual case leaves unused)
    offered, answered = ctx.surface.offered, ctx.surface.answered
    if answered not in HANDSHAKE:
        raise ctx.violation("LIFE-02", f"a protocol version the server supports (one of {', '.join(HANDSHAKE)})",
                            f"{show(answered)} when offered {offered}",
                            sent={"method": "initialize", "params": _init_params(offered)})
    if answered == offered:
        return  # the offered version was echoed: the sentence's case
    with ctx.fresh(ready=False) as wire:  # the server chose another version: offered that one, it must echo it
        reply = wire.initialize(answered)
        got = reply.result.get("protocolVersion") if reply.ok and isinstance(reply.result, dict) else reply.response
        if got != answered:
            raise ctx.violation("LIFE-02",
                                f"{answered} echoed, since the server answered {answered} when offered {offered}",
                                show(got), wire=wire, sent=reply.request)


@check("LIFE-03", "lifecycle", "unsupported versions are not echoed", phase="pristine", order=20)
def unsupported_version_counter_offer(ctx: CheckContext) -> None:
    wire = ctx.pristine()
    reply = wire.initialize(BOGUS_VERSION)
    if reply.ok:
        got = reply.result.get("protocolVersion") if isinstance(reply.result, dict) else None
        if got == BOGUS_VERSION or got not in HANDSHAKE:
            raise ctx.violation("LIFE-03", "another version the server supports, or an error",
                                f"protocolVersion {show(got)}", 
                                wire=wire, sent=reply.request)


def _early_method(ctx: CheckContext) -> str:
    method = next((m for cap, m in LIST_METHODS.items() if ctx.surface.has(cap)), None)
    if method is None:
        raise NotApplicable("the server declares no tools, resources or prompts to request early")
    return method


@check("LIFE-04", "lifecycle", "requests before initialize are refused", phase="pristine", order=10)
def requests_before_initialize(ctx: CheckContext) -> None:
    method = _early_method(ctx)
    wire = ctx.pristine()
    early = wire.request(method, {})
    if early.ok:
        raise ctx.violation("LIFE-04", f"an error for {method} sent before initialize",
                            f"it was served: {show(early.response)}", 
                            wire=wire, sent=early.request)
    late = wire.initialize(ctx.version)
    if not late.ok:
        raise ctx.violation("LIFE-04", "initialize to still work after the early request", show(late.response),
                            wire=wire)


@check("LIFE-05", "lifecycle", "ping works before initialize", phase="pristine", order=0)
def ping_before_initialize(ctx: CheckContext) -> None:
    wire = ctx.pristine()
    reply = wire.request("ping")
    if not (reply.ok and isinstance(reply.result, dict)):
        raise ctx.violation("LIFE-05", "an empty result {} for ping before initialize", show(reply.response), wire=wire,
                            sent=reply.request)


@check("LIFE-08", "lifecycle", "declared capabilities work")
def declared_capabilities_work(ctx: CheckContext) -> None:
    caps = ctx.surface.capabilities
    for name, flags in (("tools", ("listChanged",)), ("resources", ("subscribe", "listChanged")),
                        ("prompts", ("listChanged",))):
        value = caps.get(name)
        if name in caps and not isinstance(value, dict):
            raise ctx.violation("LIFE-08", f"capabilities.{name} to be an object", show(value))
        for flag in flags:
            if isinstance(value, dict) and flag in value and not isinstance(value[flag], bool):
                raise ctx.violation("LIFE-08", f"capabilities.{name}.{flag} to be a boolean", show(value[flag]))
        listing = ctx.surface.listings.get(name)
        if listing is not None and listing.error:
            raise ctx.violation("LIFE-08", f"{LIST_METHODS[name]} to succeed since {name!r} is declared", listing.error,
                                sent={"method": LIST_METHODS[name]})
    for name in ("logging", "completions"):
        if name in caps and not isinstance(caps[name], dict):
            raise ctx.violation("LIFE-08", f"capabilities.{name} to be an object", show(caps[name]))


SHUTDOWN_GRACE = 5.0


@check("LIFE-09", "lifecycle", "stdio server exits when stdin closes", phase="exclusive", order=1000)
def exits_on_stdin_close(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    wire: Wire = ctx.exclusive()
    process = wire.process  # type: ignore[attr-defined]
    process.close_stdin()
    code = process.wait_exit(SHUTDOWN_GRACE)
    if code is None:
        raise ctx.violation("LIFE-09", f"the process to exit within {SHUTDOWN_GRACE:g} s after its stdin was closed",
                            "it was still running (mcptest then stopped it with SIGTERM)", wire=wire)
    wire.wait_closed(SHUTDOWN_GRACE)  # type: ignore[attr-defined]


@check("LIFE-10", "lifecycle", "a second initialize on a ready connection", phase="exclusive", order=990)
def second_initialize(ctx: CheckContext) -> None:
    wire = ctx.exclusive()
    session = getattr(wire, "session_id", None)
    reply = wire.request("initialize", _init_params(ctx.version), envelope=False)
    if session is not None and getattr(wire, "session_id", None) != session:
        return  # over HTTP the server opened a new session for it: no second initialize within one session
    after = wire.request("ping")
    if not after.ok:
        raise ctx.violation("LIFE-10", "the connection still served after a second initialize",
                            f"ping answered {show(after.response)}", wire=wire, sent=reply.request)
    if reply.ok:
        got = reply.result.get("protocolVersion") if isinstance(reply.result, dict) else None
        raise ctx.violation("LIFE-10", "an error for initialize on a connection whose initialization phase is over",
                            f"it was accepted again (protocolVersion {show(got)})", wire=wire, sent=reply.request)
