"""Shorthands the requirement tables share: version sets, per-version overrides, recurring sentences."""

from __future__ import annotations

from mcptest.spec.model import At, Level, Source
from mcptest.spec.versions import HANDSHAKE, KNOWN, MODERN

ALL = KNOWN
H = HANDSHAKE
M = MODERN
NEGOTIATED_SHOULD = ("2024-11-05", "2025-03-26")
"""Handshake versions whose lifecycle says "Both parties SHOULD" (MUST from 2025-06-18)."""


def since(version: str, *, modern: bool = True) -> tuple[str, ...]:
    """The handshake versions from ``version`` on, plus 2026-07-28 unless ``modern`` is False."""
    return tuple(v for v in HANDSHAKE if v >= version) + (MODERN if modern else ())


def older(
    versions: tuple[str, ...],
    *,
    quote: str | None = None,
    page: str | None = None,
    section: str | None = None,
    level: Level | None = None,
    source: Source | None = None,
) -> dict[str, At]:
    """The same override for each of ``versions`` (merge several with ``|``)."""
    return {v: At(quote=quote, page=page, section=section, level=level, source=source) for v in versions}


# Sentences several requirements rest on.
ONLY_NEGOTIATED = "Both parties MUST: … Only use capabilities that were successfully negotiated"
ONLY_NEGOTIATED_SHOULD = "Both parties SHOULD: … Only use capabilities that were successfully negotiated"
MUST_REPLY = "When a rpc call is made, the Server MUST reply with a Response, except for in the case of Notifications."
NULL_ID = (
    "If there was an error in detecting the id in the Request object (e.g. Parse error/Invalid Request), "
    "it MUST be Null."
)
VALIDATE_INPUTS = "Servers MUST: … Validate all tool inputs"
CONFORM_OUTPUT = "Servers MUST provide structured results that conform to this schema."
ROBUSTNESS = "Be liberal in what you accept, and conservative in what you send."
ROBUSTNESS_URL = "https://www.rfc-editor.org/rfc/rfc1122#section-1.2.2"
KNOWN_RESOURCE = "A known resource that the server is capable of reading."


def negotiated() -> dict[str, At]:
    """Overrides for the lifecycle's "Only use capabilities that were successfully negotiated" (SHOULD before 06-18)."""
    return older(NEGOTIATED_SHOULD, quote=ONLY_NEGOTIATED_SHOULD, level="SHOULD")
