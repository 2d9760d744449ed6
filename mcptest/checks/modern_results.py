"""2026-07-28 result and error checks: resultType, caching hints, serverInfo, error codes, tool order."""

from __future__ import annotations

import re
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.discovery import LISTS, walk
from mcptest.findings import NotApplicable
from mcptest.wire.envelope import SERVER_INFO_KEY

AREA = "modern"
CACHEABLE = ("server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list",
             "resources/read")
DEFINED_CODES = {-32020, -32021, -32022}
RETIRED_CODES = {-32002: "resource not found (2025-11-25 and earlier)", -32042: "URL elicitation required"}
_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EXTENSION_ID = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*/(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?$")


def _seen_results(ctx: CheckContext) -> Any:
    seen = ctx.observed
    if not sum(seen.results.values()):
        raise NotApplicable("the server sent no result at this version to judge")
    return seen


@check("MOD-04", AREA, "every result carries resultType", phase="observe")
def result_type_everywhere(ctx: CheckContext) -> None:
    seen = _seen_results(ctx)
    untyped = sum(count for (kind, _), count in seen.results.items() if kind is None)
    if untyped:
        sample = next(seen.result_samples[key] for key in seen.results if key[0] is None)
        raise ctx.violation("MOD-04", "a string resultType in every result",
                            f"{untyped} of {sum(seen.results.values())} results had none, e.g. {show(sample[1])} "
                            f"(over {sample[0]})")


@check("MOD-06", AREA, "every result names the server in _meta", phase="observe")
def server_info_everywhere(ctx: CheckContext) -> None:
    seen = _seen_results(ctx)
    anonymous = sum(count for (_, named), count in seen.results.items() if not named)
    if anonymous:
        sample = next(seen.result_samples[key] for key in seen.results if not key[1])
        raise ctx.violation("MOD-06", f"_meta[{SERVER_INFO_KEY!r}] (an Implementation) in every result",
                            f"{anonymous} of {sum(seen.results.values())} results lacked it, e.g. {show(sample[1])} "
                            f"(over {sample[0]})")


def caching_problem(result: Any) -> str | None:
    """Why a complete result lacks valid caching hints (None when ``ttlMs`` >= 0 and ``cacheScope`` are right)."""
    if not isinstance(result, dict) or result.get("resultType", "complete") != "complete":
        return None
    ttl, scope = result.get("ttlMs"), result.get("cacheScope")
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
        return f"ttlMs is {show(ttl)}, not an integer >= 0"
    if scope not in ("public", "private"):
        return f'cacheScope is {show(scope)}, not "public" or "private"'
    return None


@check("MOD-05", AREA, "cacheable results carry ttlMs and cacheScope")
def caching_hints(ctx: CheckContext) -> None:
    judged: list[tuple[str, Any]] = [("server/discover", ctx.surface.init)]
    for kind, listing in ctx.surface.listings.items():
        judged += [(f"{LISTS[kind][0]} page {index + 1}", page) for index, page in enumerate(listing.results)]
        scopes = {page.get("cacheScope") for page in listing.results}
        if len(scopes) > 1:
            raise ctx.violation("MOD-05", f"the same cacheScope on every page of {LISTS[kind][0]}",
                                f"pages carried {show(sorted(map(str, scopes)))}", sent={"method": LISTS[kind][0]})
    resources = ctx.surface.items("resources")
    if resources:
        wire = ctx.wire()
        reply = wire.request("resources/read", {"uri": resources[0].get("uri")})
        if reply.ok:
            judged.append((f"resources/read {resources[0].get('uri')}", reply.result))
    for what, result in judged:
        problem = caching_problem(result)
        if problem:
            raise ctx.violation("MOD-05", f"ttlMs (integer >= 0) and cacheScope (public or private) on {what}",
                                f"{problem}: {show(result)}", sent={"method": what.split(" ")[0]})


@check("MOD-17", AREA, "extension identifiers are prefixed _meta key names")
def extension_names(ctx: CheckContext) -> None:
    extensions = ctx.surface.capabilities.get("extensions")
    if extensions is None:
        raise NotApplicable("the server declares no extensions")
    if not isinstance(extensions, dict):
        raise ctx.violation("MOD-17", "capabilities.extensions: a map of extension identifiers", show(extensions),
                            sent={"method": "server/discover"})
    for name, settings in extensions.items():
        if not EXTENSION_ID.match(name):
            raise ctx.violation("MOD-17", "extension identifiers like vendor.tld/name (dot-separated labels, a slash, "
                                "a name)", f"{name!r} in capabilities.extensions", sent={"method": "server/discover"})
        if not isinstance(settings, dict):
            raise ctx.violation("MOD-17", "a settings object per extension", f"{name!r}: {show(settings)}",
                                sent={"method": "server/discover"})


@check("MOD-18", AREA, "tools/list returns tools in the same order every time")
def deterministic_tools(ctx: CheckContext) -> None:
    first = [tool.get("name") for tool in ctx.surface.items("tools")]
    if len(first) < 2:
        raise NotApplicable("fewer than two tools are listed, so there is no order to compare")
    again = walk(ctx.wire(), "tools/list", "tools")
    second = [tool.get("name") for tool in again.items]
    if again.error is None and sorted(map(str, first)) == sorted(map(str, second)) and first != second:
        raise ctx.violation("MOD-18", f"the same order on every tools/list: {show(first)}", show(second),
                            sent={"method": "tools/list"})


def _errors(ctx: CheckContext) -> Any:
    seen = ctx.observed
    if not sum(seen.error_codes.values()):
        raise NotApplicable("the server sent no error response at this version to judge")
    return seen


@check("BASE-17", "jsonrpc", "no retired error codes at 2026-07-28", phase="observe")
def retired_codes(ctx: CheckContext) -> None:
    seen = _errors(ctx)
    for code, meaning in RETIRED_CODES.items():
        if seen.error_codes.get(code):
            where, sample = seen.error_samples.get(code, ("?", {}))
            raise ctx.violation("BASE-17", f"no {code} ({meaning}) at {ctx.version}",
                                f"{seen.error_codes[code]} error(s) with it, e.g. {show(sample)} (over {where})")


@check("BASE-15", "jsonrpc", "no undefined codes from the spec's reserved range", phase="observe")
def undefined_reserved_codes(ctx: CheckContext) -> None:
    seen = _errors(ctx)
    undefined = sorted(c for c in seen.error_codes if isinstance(c, int) and -32099 <= c <= -32020
                       and c not in DEFINED_CODES)
    if undefined:
        where, sample = seen.error_samples.get(undefined[0], ("?", {}))
        raise ctx.violation("BASE-15", "only -32020, -32021 and -32022 from the range -32020..-32099",
                            f"code(s) {undefined}, e.g. {show(sample)} (over {where})")


def server_requests(ctx: CheckContext, transport: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The JSON-RPC requests the server sent at this version (over ``transport``), n/a when it sent nothing."""
    seen = ctx.observed
    if not seen.messages:
        raise NotApplicable("the server sent no message at this version to judge")
    return [(where, message) for where, message, _ in seen.requests if transport is None or where == transport]


def _no_requests(ctx: CheckContext, req_id: str, transport: str | None) -> None:
    found = server_requests(ctx, transport)
    if found:
        where, message = found[0]
        raise ctx.violation(req_id, "no JSON-RPC request from the server (input is asked for with "
                            "InputRequiredResult)", f"{len(found)} request(s), first {show(message)} (over {where})")


@check("MOD-09", AREA, "the server sends no JSON-RPC request", phase="observe")
def no_server_requests(ctx: CheckContext) -> None:
    _no_requests(ctx, "MOD-09", None)


@check("STDIO-06", "stdio", "no JSON-RPC request on stdout at 2026-07-28", phase="observe")
def no_stdout_requests(ctx: CheckContext) -> None:
    _no_requests(ctx, "STDIO-06", "stdio")


@check("MHTTP-16", "mhttp", "no JSON-RPC request on a response stream", phase="observe")
def no_stream_requests(ctx: CheckContext) -> None:
    _no_requests(ctx, "MHTTP-16", "http")


__all__ = ["caching_problem", "server_requests"]
