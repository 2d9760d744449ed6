"""The Requirement type: one checkable statement, its level, its versions and the spec's own sentence."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from mcptest.spec.versions import KNOWN, LATEST_HANDSHAKE, spec_url

Level = Literal["MUST", "SHOULD", "MAY", "INFO"]
Source = Literal["mcp", "jsonrpc", "schema", "practice"]
Binds = Literal["server", "client", "both"]

LEVELS: tuple[Level, ...] = ("MUST", "SHOULD", "MAY", "INFO")
SOURCES: dict[Source, str] = {
    "mcp": "an MCP sentence with a BCP 14 keyword (MUST, SHOULD, MAY, ...)",
    "jsonrpc": "JSON-RPC 2.0, which MCP messages follow; MCP states no keyword of its own, so at most SHOULD",
    "schema": "the structure the version's schema (schema.ts, the spec's source of truth) defines",
    "practice": "common practice the spec describes without a keyword; at most SHOULD",
}
JSONRPC_URL = "https://www.jsonrpc.org/specification"
SCHEMA_TS_URL = "https://github.com/modelcontextprotocol/modelcontextprotocol/blob/main/schema/{version}/schema.ts"
SCHEMA_PAGE_SINCE = "2025-06-18"
"""The first version whose spec site renders the schema as a page (older ones link to schema.ts)."""


@dataclass(frozen=True)
class At:
    """How a requirement reads at an older version where the spec words it differently.

    Any field left None is the same as the requirement's own (newest) reading.
    """

    quote: str | None = None
    page: str | None = None
    section: str | None = None
    level: Level | None = None
    source: Source | None = None


@dataclass(frozen=True)
class Requirement:
    """One normative statement of the spec that a check verifies, with the sentence it rests on.

    Attributes:
        id: stable id (``TOOL-05``), used in test ids, reports and baselines.
        level: MUST (violations fail), SHOULD (warn; fail with --mcp-strict), MAY, or INFO (the spec's keyword
            binds the client, or the statement is descriptive: a finding is informational at most). This is the
            level at the newest version in ``versions``; ``level_at(version)`` gives it at an older one.
        versions: the protocol versions the statement belongs to, oldest first.
        page: the spec page of the quote at the newest version, relative to the version root (``server/tools``);
            ``schema`` for the schema's doc comments; for JSON-RPC, the anchor in its specification.
        text: a short summary in our words, for listings.
        quote: the spec's sentence, verbatim from the newest version in ``versions`` (markdown emphasis
            stripped, "…" where words of the same passage are left out).
        source: where the expectation comes from (see ``SOURCES``).
        section: the heading the quote sits under (gives the URL its anchor).
        transports: the transports it applies to (empty = all): ``stdio``, ``http``, ``sse``.
        binds: whom the quote's keyword binds; a client-side sentence only makes an INFO requirement.
        schema: the schema definitions the expectation rests on (``CallToolResult.content``).
        note: why the level is what it is, when the quote alone does not say it.
        at: older versions whose wording, page, section or level differ.
    """

    id: str
    level: Level
    versions: tuple[str, ...]
    page: str
    text: str
    quote: str
    source: Source = "mcp"
    section: str = ""
    transports: tuple[str, ...] = ()
    binds: Binds = "server"
    schema: tuple[str, ...] = ()
    note: str = ""
    at: Mapping[str, At] = field(default_factory=dict, hash=False, compare=False)

    def _at(self, version: str | None) -> At:
        return self.at.get(version or "", At())

    def chosen(self, version: str | None = None) -> str:
        """``version`` if the requirement belongs to it, else its newest version."""
        if version in self.versions:
            return version  # type: ignore[return-value]
        return self.versions[-1] if self.versions else LATEST_HANDSHAKE

    def quote_at(self, version: str | None = None) -> str:
        """The spec's sentence at ``version`` (default: the newest)."""
        return self._at(self.chosen(version)).quote or self.quote

    def page_at(self, version: str | None = None) -> str:
        """The spec page of the quote at ``version``."""
        return self._at(self.chosen(version)).page or self.page

    def section_at(self, version: str | None = None) -> str:
        """The heading the quote sits under at ``version``."""
        found = self._at(self.chosen(version)).section
        return self.section if found is None else found

    def level_at(self, version: str | None = None) -> Level:
        """The level at ``version``: differs from ``level`` where an older version words the rule more weakly."""
        return self._at(self.chosen(version)).level or self.level

    def source_at(self, version: str | None = None) -> Source:
        """Where the expectation comes from at ``version`` (an older version may only have JSON-RPC's word)."""
        return self._at(self.chosen(version)).source or self.source

    @property
    def quotes(self) -> dict[str, str]:
        """The quote per version, for the versions whose wording differs from ``quote``."""
        return {version: at.quote for version, at in self.at.items() if at.quote}

    def url(self, version: str | None = None) -> str:
        """The spec section URL at ``version`` (or the newest version the requirement belongs to)."""
        chosen = self.chosen(version)
        page, section = self.page_at(chosen), self.section_at(chosen)
        if page.startswith("https://"):
            return page
        if self.source_at(chosen) == "jsonrpc":
            return f"{JSONRPC_URL}#{page}"
        if page == "schema" and chosen < SCHEMA_PAGE_SINCE:
            return SCHEMA_TS_URL.format(version=chosen)
        base = spec_url(chosen, page)
        return f"{base}#{anchor(section)}" if section else base


def anchor(heading: str) -> str:
    """The URL fragment the spec site gives a heading (``Protocol Version Header`` -> ``protocol-version-header``)."""
    slug = re.sub(r"[^a-z0-9 -]", "", heading.lower().replace("`", ""))
    return re.sub(r"-{2,}", "-", re.sub(r"\s+", "-", slug.strip())).strip("-")


def requirement_versions(*eras: tuple[str, ...]) -> tuple[str, ...]:
    """The union of version tuples, in protocol order."""
    wanted = {version for era in eras for version in era}
    return tuple(version for version in KNOWN if version in wanted)
