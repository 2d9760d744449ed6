"""2026-07-28 envelope and discovery checks (MOD-*): server/discover, the per-request _meta, versions, statelessness."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from mcp_types import _v2026_07_28 as v2026

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.modern_probe import (
    HEADER_MISMATCH,
    UNSUPPORTED,
    UNSUPPORTED_VERSION,
    Answer,
    answers_initialize,
    build,
    envelope,
    initialize_reply,
    send,
)
from mcptest.discovery import LISTS, open_modern
from mcptest.findings import NotApplicable
from mcptest.spec.shapes import json_path
from mcptest.wire import HttpWire
from mcptest.wire.envelope import CAPABILITIES_KEY, CLIENT_INFO_KEY, VERSION_KEY

AREA = "modern"
HINTS = ("resultType", "ttlMs", "cacheScope")
"""DiscoverResult members MOD-04 and MOD-05 judge (not counted twice by MOD-01)."""


@functools.cache
def _validator(type_name: str) -> jsonschema.protocols.Validator:
    model = getattr(v2026, type_name)
    return jsonschema.Draft202012Validator(model.model_json_schema(by_alias=True))


def modern_shape_problems(type_name: str, data: Any, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Problems of ``data`` against the 2026-07-28 type ``type_name`` (at most three, each naming its path)."""
    errors = [e for e in _validator(type_name).iter_errors(data)
              if not (e.absolute_path and e.absolute_path[0] in skip)
              and not (e.validator == "required" and any(repr(name) in e.message for name in skip))]
    if not errors:
        return []
    ordered = [best_match(errors), *errors]
    found: list[str] = []
    for error in ordered:
        text = f"{json_path(error.absolute_path) or '(root)'}: {error.message[:200]}"
        if text not in found:
            found.append(text)
    return found[:3]


@check("MOD-01", AREA, "server/discover answers its result")
def discover_result(ctx: CheckContext) -> None:
    wire = ctx.wire()
    reply = wire.request("server/discover", {})
    if not reply.ok or not isinstance(reply.result, dict):
        raise ctx.violation("MOD-01", "a DiscoverResult", show(reply.response), wire=wire, sent=reply.request)
    problems = modern_shape_problems("DiscoverResult", reply.result, skip=HINTS)
    versions = reply.result.get("supportedVersions")
    if not problems and ctx.version not in versions:
        problems.append(f"supportedVersions {show(versions)} lacks {ctx.version}, the version this request used "
                        "and the server served")
    if problems:
        raise ctx.violation("MOD-01", "supportedVersions (strings, including the version served) and a capabilities "
                            "object", "; ".join(problems), wire=wire, sent=reply.request)


def _missing_key_probes() -> list[tuple[str, dict[str, Any] | None, bool]]:
    """(what, _meta, whether the version is missing too): requests a server must reject as malformed."""
    return [
        ("no _meta at all", None, True),
        (f"_meta without {VERSION_KEY}", envelope(drop=(VERSION_KEY,)), True),
        (f"_meta without {CAPABILITIES_KEY}", envelope(drop=(CAPABILITIES_KEY,)), False),
    ]


@check("MOD-02", AREA, "a request missing a required _meta field gets -32602")
def missing_meta_rejected(ctx: CheckContext) -> None:
    wire = ctx.wire()
    # on stdio a dual-era server may read a request without the version key as a handshake-era one
    skip_versionless = not isinstance(wire, HttpWire) and answers_initialize(ctx)
    for what, meta, versionless in _missing_key_probes():
        if versionless and skip_versionless:
            continue
        answer = send(wire, build(wire, "server/discover", {}, meta))
        wanted = (-32602, HEADER_MISMATCH) if versionless and isinstance(wire, HttpWire) else (-32602,)
        if answer.code not in wanted:
            also = " (or -32020: the MCP-Protocol-Version header has no body value to match)" if len(wanted) > 1 else ""
            raise ctx.violation("MOD-02", f"error -32602 (Invalid params) for a request with {what}{also}",
                                answer.summary(), wire=wire, sent=answer.sent)
    control = send(wire, build(wire, "server/discover", {}, envelope(drop=(CLIENT_INFO_KEY,))))
    if control.code == -32602:
        raise ctx.violation("MOD-02", f"a request with both required fields served ({CLIENT_INFO_KEY} is optional)",
                            control.summary(), wire=wire, sent=control.sent)


def supported_list_problem(answer: Answer, requested: Any) -> str | None:
    """What is wrong with an UnsupportedProtocolVersionError's data (None when it lists versions and echoes)."""
    data = answer.error.get("data") if answer.error else None
    supported = data.get("supported") if isinstance(data, dict) else None
    if not isinstance(supported, list) or not supported or not all(isinstance(v, str) for v in supported):
        return f"data.supported is {show(supported)}, not a list of the supported version strings"
    if data.get("requested") != requested:
        return f"data.requested is {show(data.get('requested'))}, not the requested {show(requested)}"
    return None


@check("MOD-03", AREA, "an unsupported version gets -32022 listing the supported ones")
def unsupported_version(ctx: CheckContext) -> None:
    wire = ctx.wire()
    answer = send(wire, build(wire, "server/discover", {}, envelope(version=UNSUPPORTED_VERSION)))
    if answer.code != UNSUPPORTED:
        raise ctx.violation("MOD-03", f"UnsupportedProtocolVersionError (-32022) for {UNSUPPORTED_VERSION}",
                            answer.summary(), wire=wire, sent=answer.sent)
    problem = supported_list_problem(answer, UNSUPPORTED_VERSION)
    if problem:
        raise ctx.violation("MOD-03", "data.supported listing the supported versions and data.requested echoing "
                            "the request", problem, wire=wire, sent=answer.sent)


REMOVED = (("ping", {}), ("logging/setLevel", {"level": "info"}), ("resources/subscribe", {"uri": "mcptest://x"}),
           ("resources/unsubscribe", {"uri": "mcptest://x"}))
"""Requests of the handshake era that 2026-07-28 removed."""


@check("MOD-07", AREA, "methods 2026-07-28 removed get -32601")
def removed_methods(ctx: CheckContext) -> None:
    wire = ctx.wire()
    for method, params in REMOVED:
        reply = wire.request(method, params)
        if reply.error_code != -32601:
            raise ctx.violation("MOD-07", f"{method} (not part of {ctx.version}) answered with -32601",
                                show(reply.response), wire=wire, sent=reply.request)


@check("MOD-12", AREA, "each request stands on its own envelope", phase="pristine")
def stateless(ctx: CheckContext) -> None:
    method = next((LISTS[kind][0] for kind in ("tools", "prompts", "resources") if kind in ctx.surface.listings),
                  "server/discover")
    wire = ctx.pristine()  # made modern here, it serves the lane's later (exclusive) checks too
    open_modern(wire, ctx.version, ctx.surface)
    first = wire.request(method, {})
    if not first.ok:
        raise ctx.violation("MOD-12", f"{method} served as the first request on a new connection (no "
                            "server/discover before it)", show(first.response), wire=wire, sent=first.request)
    send(wire, build(wire, method, {}, envelope(version=UNSUPPORTED_VERSION)))
    after = wire.request(method, {})
    if not after.ok:
        raise ctx.violation("MOD-12", f"{method} at {ctx.version} served after a request that named "
                            f"{UNSUPPORTED_VERSION} (each request judged on its own _meta)",
                            show(after.response), wire=wire, sent=after.request)


@check("MOD-19", AREA, "a modern-only server's error to initialize names its versions")
def initialize_names_versions(ctx: CheckContext) -> None:
    if answers_initialize(ctx):
        raise NotApplicable("the server also answers initialize (it is dual-era); the rule is for modern-only servers")
    reply = initialize_reply(ctx)
    if reply is None:
        raise NotApplicable(f"initialize got no answer within {ctx.timeout:g} s, so there is no error to judge")
    listed = ctx.surface.init.get("supportedVersions")
    versions = [v for v in listed if isinstance(v, str)] if isinstance(listed, list) else [ctx.version]
    text = show(reply.error, 2000) if reply.error is not None else show(reply.response, 2000)
    if not any(version in text for version in versions):
        raise ctx.violation("MOD-19", f"an error naming the supported versions ({', '.join(versions)})",
                            show(reply.response), sent=reply.request)


@check("MOD-16", AREA, "an unknown resource gets -32602")
def unknown_resource(ctx: CheckContext) -> None:
    ctx.require("resources")
    wire = ctx.wire()
    reply = wire.request("resources/read", {"uri": "mcptest://no-such-resource/probe"})
    if reply.error_code != -32602:
        raise ctx.violation("MOD-16", "error -32602 (Invalid Params) for a resource that does not exist",
                            show(reply.response), wire=wire, sent=reply.request)


@check("MOD-26", AREA, "declared tools, resources and prompts capabilities are served")
def declared_lists_served(ctx: CheckContext) -> None:
    declared = [kind for kind in ("tools", "resources", "prompts") if ctx.surface.has(kind)]
    if not declared:
        raise NotApplicable("the server declares none of the tools, resources and prompts capabilities")
    for kind in declared:
        listing = ctx.surface.listings.get(kind)
        if listing is not None and listing.error:
            raise ctx.violation("MOD-26", f"{LISTS[kind][0]} answered, since {kind!r} is declared", listing.error,
                                sent={"method": LISTS[kind][0]})


def _stdio_exit(ctx: CheckContext) -> None:
    """STDIO-07: close the lane process's stdin and expect it to exit promptly."""
    from mcptest.checks.lifecycle import SHUTDOWN_GRACE

    ctx.require_transport("stdio")
    wire = ctx.exclusive()
    process = wire.process  # type: ignore[attr-defined]
    process.close_stdin()
    if process.wait_exit(SHUTDOWN_GRACE) is None:
        raise ctx.violation("STDIO-07", f"the process to exit within {SHUTDOWN_GRACE:g} s after its stdin was closed",
                            "it was still running (mcptest then stopped it with SIGTERM)", wire=wire)


check("STDIO-07", AREA, "the server exits when stdin closes", phase="exclusive", order=1000)(_stdio_exit)


__all__ = ["modern_shape_problems", "supported_list_problem"]
