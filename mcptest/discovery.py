"""Discover a server's surface at one version: handshake or 2026-07-28 envelope, then every list walked to its end."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from mcptest.spec.versions import HANDSHAKE, LATEST_HANDSHAKE, MODERN
from mcptest.wire import RequestTimeout, Wire, WireError
from mcptest.wire.envelope import SERVER_INFO_KEY

MAX_PAGES = 100
LISTS = {
    "tools": ("tools/list", "tools", "tools"),
    "resources": ("resources/list", "resources", "resources"),
    "templates": ("resources/templates/list", "resources", "resourceTemplates"),
    "prompts": ("prompts/list", "prompts", "prompts"),
}
MODERN_ERRORS = (-32020, -32021, -32022)
"""JSON-RPC error codes only a 2026-07-28 server uses: a probe answered with one of them reached a modern server."""
Era = Literal["handshake", "modern"]


class DiscoveryError(RuntimeError):
    """The server could not be initialized; the message names the step and why."""


@dataclass
class Listing:
    """One list method walked to its end."""

    items: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Surface:
    """What the server said about itself at one version: its handshake (or discover) result and its lists."""

    version: str
    init: dict[str, Any]
    listings: dict[str, Listing] = field(default_factory=dict)
    era: Era = "handshake"
    offered: str = ""
    answered: Any = None

    @property
    def capabilities(self) -> dict[str, Any]:
        caps = self.init.get("capabilities")
        return caps if isinstance(caps, dict) else {}

    def has(self, capability: str) -> bool:
        """True when the server declared ``capability`` (e.g. ``tools``, ``logging``)."""
        return isinstance(self.capabilities.get(capability), dict)

    def flag(self, capability: str, name: str) -> bool:
        """True when ``capabilities[capability][name]`` is ``true`` (e.g. ``resources``, ``subscribe``)."""
        value = self.capabilities.get(capability)
        return isinstance(value, dict) and value.get(name) is True

    def items(self, kind: str) -> list[dict[str, Any]]:
        """The discovered tools / resources / templates / prompts (empty when not declared)."""
        listing = self.listings.get(kind)
        return listing.items if listing else []

    @property
    def server_info(self) -> dict[str, Any]:
        """``serverInfo`` of the handshake, or the serverInfo a 2026-07-28 result carries in ``_meta``."""
        info = self.init.get("serverInfo")
        if not isinstance(info, dict):
            meta = self.init.get("_meta")
            info = meta.get(SERVER_INFO_KEY) if isinstance(meta, dict) else None
        return info if isinstance(info, dict) else {}

    @property
    def server_name(self) -> str:
        return str(self.server_info.get("name", "?"))


def initialize(wire: Wire, version: str = LATEST_HANDSHAKE) -> dict[str, Any]:
    """Handshake at ``version``; the initialize result.

    Raises:
        DiscoveryError: the server did not answer, answered an error, or a malformed result.
    """
    try:
        reply = wire.initialize(version)
    except RequestTimeout as exc:
        raise DiscoveryError(f"initialize failed: {exc}; {wire.describe()}") from None
    except WireError as exc:
        raise DiscoveryError(f"initialize failed: {exc}") from None
    if not reply.ok or not isinstance(reply.result, dict):
        raise DiscoveryError(f"initialize was answered with {json.dumps(reply.response)[:500]}")
    return reply.result


@dataclass(frozen=True)
class ModernProbe:
    """What ``server/discover`` told about the 2026-07-28 era."""

    modern: bool
    result: dict[str, Any] | None
    why: str
    supported: tuple[str, ...] = ()


def open_modern(wire: Wire, version: str, surface: Surface | None = None) -> None:
    """Make ``wire`` send the 2026-07-28 envelope at ``version`` (and, on HTTP, mirror x-mcp-header arguments)."""
    wire.use_modern(version)
    if surface is not None and hasattr(wire, "tool_schemas"):
        wire.tool_schemas = {str(t.get("name")): t.get("inputSchema") for t in surface.items("tools")}


def probe_modern(wire: Wire, version: str = MODERN[-1]) -> ModernProbe:
    """Probe with ``server/discover`` the way the spec tells a dual-era client to (stdio and HTTP alike).

    A DiscoverResult, or a recognised modern error, means a modern server; any other error or no answer
    within the timeout means a handshake-era server (the spec forbids keying that to one error code).
    """
    open_modern(wire, version)
    try:
        reply = wire.request("server/discover", {})
    except RequestTimeout:
        return ModernProbe(False, None, f"server/discover got no answer within {wire.timeout:g} s")
    except WireError as exc:
        return ModernProbe(False, None, f"server/discover failed: {exc}")
    if reply.ok and isinstance(reply.result, dict):
        versions = reply.result.get("supportedVersions")
        supported = tuple(v for v in versions if isinstance(v, str)) if isinstance(versions, list) else ()
        return ModernProbe(True, reply.result, "server/discover answered", supported)
    code = reply.error_code
    if code in MODERN_ERRORS:
        data = (reply.error or {}).get("data")
        listed = data.get("supported") if isinstance(data, dict) else None
        supported = tuple(v for v in listed if isinstance(v, str)) if isinstance(listed, list) else ()
        return ModernProbe(True, None, f"server/discover answered the modern error {code}", supported)
    return ModernProbe(False, None, f"server/discover was answered with {json.dumps(reply.response)[:200]}")


def walk(wire: Wire, method: str, key: str, max_pages: int = MAX_PAGES) -> Listing:
    """Call a list method page by page until ``nextCursor`` is absent, a cursor repeats or the cap."""
    listing = Listing()
    cursor: Any = None
    seen: set[str] = set()
    while True:
        params = {} if cursor is None else {"cursor": cursor}
        reply = wire.request(method, params)
        listing.pages += 1
        if not reply.ok or not isinstance(reply.result, dict):
            listing.error = json.dumps(reply.response)[:500]
            return listing
        listing.results.append(reply.result)
        page = reply.result.get(key)
        if not isinstance(page, list):
            listing.problems.append(f"page {listing.pages}: {key!r} is not an array")
            return listing
        listing.items.extend(i for i in page if isinstance(i, dict))
        cursor = reply.result.get("nextCursor")
        if cursor is None:
            return listing
        if not isinstance(cursor, str):
            listing.problems.append(f"page {listing.pages}: nextCursor {cursor!r} is not a string")
            return listing
        if cursor in seen:
            listing.problems.append(f"page {listing.pages}: nextCursor {cursor!r} was already returned (a cycle)")
            return listing
        if listing.pages >= max_pages:
            listing.problems.append(f"stopped after {max_pages} pages: the list never ended")
            return listing
        seen.add(cursor)


def list_all(wire: Wire, surface: Surface) -> Surface:
    """Walk every list the server declared, the lists side by side on one connection."""
    wanted = [(kind, method, key) for kind, (method, capability, key) in LISTS.items() if surface.has(capability)]

    def one(method: str, key: str) -> Listing:
        try:
            return walk(wire, method, key)
        except WireError as exc:
            return Listing(error=str(exc))

    with ThreadPoolExecutor(max_workers=max(len(wanted), 1), thread_name_prefix="mcptest-list") as pool:
        futures = {kind: pool.submit(one, method, key) for kind, method, key in wanted}
    for kind, future in futures.items():
        surface.listings[kind] = future.result()
    return surface


def discover(wire: Wire, version: str = LATEST_HANDSHAKE) -> Surface:
    """Initialize ``wire`` at ``version`` and list everything the server declared."""
    init = initialize(wire, version)
    answered = init.get("protocolVersion")
    known = answered if answered in HANDSHAKE else version  # an unknown answer is LIFE-02's finding, not a version
    surface = Surface(version=known, init=init, offered=version, answered=answered)
    if known != answered:
        wire.protocol_version = known
    return list_all(wire, surface)


def discover_modern(wire: Wire, version: str, result: dict[str, Any]) -> Surface:
    """The surface of a 2026-07-28 server whose ``server/discover`` answered ``result`` on ``wire``."""
    surface = list_all(wire, Surface(version=version, init=result, era="modern", offered=version))
    open_modern(wire, version, surface)
    return surface
