"""Values a server hands back (ids, URIs, names) harvested from tool results and listings for later calls.

Each value remembers where it came from as a ``Ref`` (the step and the path inside what that step returned),
so a replayed sequence can take the value the server returns *this* time (``extract``) instead of the literal
seen while searching: removing an earlier ``create`` shifts the ids later ones get.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 200
MAX_VALUES = 12
_URI = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>]+")
_ID = re.compile(r"\b[A-Za-z]+[-_:][0-9A-Za-z][0-9A-Za-z_-]*\b")
MISSING = object()
"""What ``extract`` returns when the path leads nowhere in this result."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Ref:
    """Where a value was observed: ``step`` (0-based, in its sequence) and the ``path`` into what it returned.

    Paths start with ``result`` (the tools/call result: keys and indexes, ``json`` parses a text, ``match`` picks
    the n-th URI- or id-looking word of a text) or ``listing`` (``("listing", "resources", 3, "uri")``: the
    resources listed after the step).
    """

    step: int
    path: Path


@dataclass(frozen=True)
class Observed:
    """One value the server returned, where from in words (``step 2 (create_record) structuredContent.id``) and
    as a ``Ref``."""

    value: Any
    origin: str
    ref: Ref


def harvest(result: Any, step: int, origin: str) -> list[Observed]:
    """Scalars worth feeding back from a tools/call result: every string and integer of ``structuredContent``
    and of JSON text blocks, URIs of resource links, and URI- or id-looking words of plain text (bounded)."""
    found: list[Observed] = []
    if not isinstance(result, dict):
        return found
    structured = (step, ("result", "structuredContent"))
    _walk(result.get("structuredContent"), f"{origin} structuredContent", structured, found)
    for index, block in enumerate(result.get("content") or []):
        if not isinstance(block, dict):
            continue
        where, path = f"{origin} content[{index}]", ("result", "content", index)
        if isinstance(block.get("uri"), str):
            found.append(Observed(block["uri"], f"{where}.uri", Ref(step, (*path, "uri"))))
        text = block.get("text")
        if isinstance(text, str):
            _from_text(text, where, (step, (*path, "text")), found)
    return _unique(found)[:MAX_VALUES]


def harvest_listing(items: list[dict[str, Any]], kind: str, step: int, origin: str) -> list[Observed]:
    """URIs and names from a listing taken after ``step``."""
    found = [Observed(item[key], f"{origin} {key}", Ref(step, ("listing", kind, index, key)))
             for index, item in enumerate(items) for key in ("uri", "name") if isinstance(item.get(key), str)]
    return _unique(found)[:MAX_VALUES]


def extract(record: dict[str, Any], path: Path) -> Any:
    """The value at ``path`` in ``record`` (``{"result": ..., "listing": {kind: items}}``), or ``MISSING``."""
    node: Any = record
    parts = list(path)
    while parts:
        part = parts.pop(0)
        if part == "json" and isinstance(node, str):
            try:
                node = json.loads(node)
            except ValueError:
                return MISSING
        elif part == "match" and isinstance(node, str) and parts and isinstance(parts[0], int):
            words = _words(node)
            index = parts.pop(0)
            node = words[index] if index < len(words) else MISSING
        elif isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return MISSING
        if node is MISSING:
            return MISSING
    return node


def describe(path: Path) -> str:
    """A ``Ref`` path in words: ``structuredContent.id``, ``content[0].text (JSON).id``, ``resources listed[2].uri``."""
    parts = list(path)
    text = f"{parts[1]} listed" if parts[:1] == ["listing"] and len(parts) > 1 else ""
    rest = parts[2:] if parts[:1] == ["listing"] else parts[1:]
    for part in rest:
        if part == "json":
            text += " (JSON)"
        elif part == "match":
            text += " word"
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _from_text(text: str, where: str, at: tuple[int, Path], found: list[Observed]) -> None:
    step, path = at
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = MISSING
    if parsed is not MISSING:
        _walk(parsed, f"{where} (JSON text)", (step, (*path, "json")), found)
        return
    found.extend(Observed(word, f"{where} text", Ref(step, (*path, "match", index)))
                 for index, word in enumerate(_words(text)))


def _words(text: str) -> list[str]:
    head = text[:2000]
    return [*_URI.findall(head), *_ID.findall(head)]


def _walk(value: Any, where: str, at: tuple[int, Path], found: list[Observed]) -> None:
    step, path = at
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        if 0 < len(value) <= MAX_TEXT:
            found.append(Observed(value, where, Ref(step, path)))
    elif isinstance(value, int):
        found.append(Observed(value, where, Ref(step, path)))
    elif isinstance(value, dict):
        for key, item in list(value.items())[:50]:
            _walk(item, f"{where}.{key}", (step, (*path, key)), found)
    elif isinstance(value, list):
        for index, item in enumerate(value[:20]):
            _walk(item, f"{where}[{index}]", (step, (*path, index)), found)


def _unique(found: list[Observed]) -> list[Observed]:
    seen: set[str] = set()
    out = []
    for item in found:
        key = json.dumps(item.value)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
