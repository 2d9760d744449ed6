"""The plan of a run: every check at every covered version, per item where it is per item,
n/a ones with their reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from typing import TYPE_CHECKING

from mcptest.coverage import Coverage
from mcptest.spec.versions import KNOWN

if TYPE_CHECKING:
    from mcptest.checks import Check

SCOPE_KIND = {"tool": "tools", "resource": "resources", "template": "templates", "prompt": "prompts"}
_SIMPLE = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True)
class Case:
    """One planned check: a check at one version, maybe for one item; ``na`` says why it cannot run."""

    index: int
    check: Check
    item: dict[str, Any] | None
    version: str
    na: str | None = None

    @property
    def item_key(self) -> str:
        """The tool/prompt name or resource URI, empty for server-scope checks."""
        if self.item is None:
            return ""
        if self.check.scope in ("tool", "prompt"):
            return str(self.item.get("name"))
        return str(self.item.get("uri", self.item.get("uriTemplate")))

    @property
    def test_id(self) -> str:
        """The pytest id: ``TOOL-05:add@2025-11-25`` (``-k TOOL-05``, ``-k add`` and ``-k 2025-11-25`` select it)."""
        key = self.item_key
        return f"{self.check.id}:{key}@{self.version}" if key else f"{self.check.id}@{self.version}"

    def selector(self) -> str:
        """A ``-k`` expression selecting this case."""
        parts = [self.check.id, self.version]
        if self.item_key and _SIMPLE.match(self.item_key):
            parts.insert(1, self.item_key)
        return " and ".join(parts)


def build(coverage: Coverage | None, transport: str, error: str | None,
          checks: list[Check] | None = None) -> list[Case]:
    """Every case of every check, in a stable order: registry order, then version, then item."""
    from mcptest.checks import CHECKS

    cases: list[Case] = []
    for check in checks if checks is not None else CHECKS:
        for version, item, na in _expand(check, coverage, transport, error):
            cases.append(Case(len(cases), check, item, version, na))
    return cases


def _expand(check: Check, coverage: Coverage | None, transport: str,
            error: str | None) -> list[tuple[str, Any, str | None]]:
    req = check.requirement
    applicable = [v for v in KNOWN if v in req.versions]
    if error is not None or coverage is None:
        return [(applicable[-1] if applicable else "", None, f"not run: the server could not be checked: {error}")]
    versions = [v for v in coverage.versions if v in req.versions]
    if not versions:
        version = next((v for v in reversed(applicable) if v in coverage.skipped), applicable[-1] if applicable else "")
        why = coverage.skipped.get(version, "")
        return [(version, None, f"applies to {_span(applicable)}; {version}: {why}")]
    if req.transports and transport not in req.transports:
        return [(v, None, f"only for {'/'.join(req.transports)} servers; this one is {transport}") for v in versions]
    expanded: list[tuple[str, Any, str | None]] = []
    for version in versions:
        if check.scope == "server":
            expanded.append((version, None, None))
            continue
        kind = SCOPE_KIND[check.scope]
        items = coverage.states[version].surface.items(kind)
        if not items:
            expanded.append((version, None, _no_items(coverage, version, kind)))
        expanded.extend((version, item, None) for item in items)
    return expanded


def _no_items(coverage: Coverage, version: str, kind: str) -> str:
    surface = coverage.states[version].surface
    capability = "resources" if kind == "templates" else kind
    if not surface.has(capability):
        return f"the server does not declare the {capability!r} capability, so there are no {kind} to check"
    listing = surface.listings.get(kind)
    if listing is not None and listing.error:
        return f"listing {kind} failed ({listing.error[:120]}), so there are none to check (LIFE-08 reports it)"
    return f"the server lists no {kind}"


def _span(versions: list[str]) -> str:
    if not versions:
        return "no protocol version"
    return (versions[0] if len(versions) == 1
            else f"{versions[0]} to {versions[-1]}" if len(versions) > 2 else " and ".join(versions))
