"""Discover a server's surface once: handshake, then tools/resources/templates/prompts with full pagination."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mcptest.spec.versions import LATEST_HANDSHAKE
from mcptest.wire import RequestTimeout, Wire, WireError

MAX_PAGES = 100
LISTS = {
    "tools": ("tools/list", "tools", "tools"),
    "resources": ("resources/list", "resources", "resources"),
    "templates": ("resources/templates/list", "resources", "resourceTemplates"),
    "prompts": ("prompts/list", "prompts", "prompts"),
}


class DiscoveryError(RuntimeError):
    """The server could not be initialized; the message names the step and why."""


@dataclass
class Listing:
    """One list method walked to its end."""

    items: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    error: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Surface:
    """What the server said about itself in the handshake and its lists."""

    version: str
    init: dict[str, Any]
    listings: dict[str, Listing] = field(default_factory=dict)

    @property
    def capabilities(self) -> dict[str, Any]:
        caps = self.init.get("capabilities")
        return caps if isinstance(caps, dict) else {}

    def has(self, capability: str) -> bool:
        """True when the server declared ``capability`` (e.g. ``tools``, ``logging``)."""
        return isinstance(self.capabilities.get(capability), dict)

    def items(self, kind: str) -> list[dict[str, Any]]:
        """The discovered tools / resources / templates / prompts (empty when not declared)."""
        listing = self.listings.get(kind)
        return listing.items if listing else []

    @property
    def server_name(self) -> str:
        info = self.init.get("serverInfo")
        return str(info.get("name")) if isinstance(info, dict) else "?"


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


def discover(wire: Wire, version: str = LATEST_HANDSHAKE) -> Surface:
    """Initialize ``wire`` and list everything the server declared."""
    init = initialize(wire, version)
    negotiated = init.get("protocolVersion")
    surface = Surface(version=negotiated if isinstance(negotiated, str) else version, init=init)
    for kind, (method, capability, key) in LISTS.items():
        if surface.has(capability):
            try:
                surface.listings[kind] = walk(wire, method, key)
            except WireError as exc:
                surface.listings[kind] = Listing(error=str(exc))
    return surface
