"""The protocol versions, their eras, and what each version adds or removes."""

from __future__ import annotations

HANDSHAKE = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MODERN = ("2026-07-28",)
KNOWN = HANDSHAKE + MODERN
LATEST_HANDSHAKE = HANDSHAKE[-1]
LATEST_MODERN = MODERN[-1]
BATCHING = ("2025-03-26",)
"""The only version in which a server MUST accept JSON-RPC batches."""


def at_least(version: str | None, minimum: str) -> bool:
    """True when ``version`` is a known version no older than ``minimum`` (dates sort as strings)."""
    return version in KNOWN and version >= minimum


def since(minimum: str) -> tuple[str, ...]:
    """The handshake versions from ``minimum`` on."""
    return tuple(v for v in HANDSHAKE if v >= minimum)


def spec_url(version: str, page: str) -> str:
    """The spec page for ``page`` (e.g. ``basic/lifecycle``) at ``version``."""
    return f"https://modelcontextprotocol.io/specification/{version}/{page}"
