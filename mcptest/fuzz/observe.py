"""Values a server hands back (ids, URIs, names) harvested from tool results and listings for later calls."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 200
MAX_VALUES = 12
_URI = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>]+")
_ID = re.compile(r"\b[A-Za-z]+[-_:][0-9A-Za-z][0-9A-Za-z_-]*\b")


@dataclass(frozen=True)
class Observed:
    """One value the server returned, and where from (``step 2 (create_record) structuredContent.id``)."""

    value: Any
    origin: str


def harvest(result: Any, origin: str) -> list[Observed]:
    """Scalars worth feeding back from a tools/call result: every string and integer of ``structuredContent``
    and of JSON text blocks, URIs of resource links, and URI- or id-looking words of plain text (bounded)."""
    found: list[Observed] = []
    if not isinstance(result, dict):
        return found
    _walk(result.get("structuredContent"), f"{origin} structuredContent", found)
    for index, block in enumerate(result.get("content") or []):
        if not isinstance(block, dict):
            continue
        where = f"{origin} content[{index}]"
        if isinstance(block.get("uri"), str):
            found.append(Observed(block["uri"], f"{where}.uri"))
        text = block.get("text")
        if isinstance(text, str):
            _from_text(text, where, found)
    return _unique(found)[:MAX_VALUES]


def harvest_listing(items: list[dict[str, Any]], origin: str) -> list[Observed]:
    """Resource URIs and names from a listing."""
    found = [Observed(item[key], f"{origin} {key}") for item in items for key in ("uri", "name")
             if isinstance(item.get(key), str)]
    return _unique(found)[:MAX_VALUES]


def _from_text(text: str, where: str, found: list[Observed]) -> None:
    try:
        _walk(json.loads(text), f"{where} (JSON text)", found)
        return
    except ValueError:
        pass
    for pattern in (_URI, _ID):
        found.extend(Observed(match, f"{where} text") for match in pattern.findall(text[:2000]))


def _walk(value: Any, where: str, found: list[Observed]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        if 0 < len(value) <= MAX_TEXT:
            found.append(Observed(value, where))
    elif isinstance(value, int):
        found.append(Observed(value, where))
    elif isinstance(value, dict):
        for key, item in list(value.items())[:50]:
            _walk(item, f"{where}.{key}", found)
    elif isinstance(value, list):
        for index, item in enumerate(value[:20]):
            _walk(item, f"{where}[{index}]", found)


def _unique(found: list[Observed]) -> list[Observed]:
    seen: set[str] = set()
    out = []
    for item in found:
        key = json.dumps(item.value)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
