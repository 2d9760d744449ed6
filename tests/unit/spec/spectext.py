"""Read the MCP spec text as plain sentences and find requirement quotes in it (for the tests and the generator)."""

from __future__ import annotations

import hashlib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

ELLIPSIS = " … "
"""How a quote marks words it leaves out (e.g. the list items between "Servers MUST:" and the one it quotes)."""
MAX_GAP = 600
"""The most characters an elision may skip: the quoted parts must stay in one passage."""
_GAP_BREAKS = re.compile(r"\b(?:MUST|SHOULD|MAY|REQUIRED|SHALL|RECOMMENDED|OPTIONAL)\b|[.!?]\s+[A-Z]")
"""What an elision may not skip: another keyword (a different rule) or the end of a sentence."""
ENV = "MCPTEST_SPEC_DIR"
"""The environment variable naming ``docs/specification`` of a checkout of the MCP spec repository."""

_TAGS = re.compile(r"</?(?:Note|Info|Warning|Tip|Card|CardGroup|div|sup|sub|b|i|br|span)\b[^>]*>")
_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_LINK_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(?<![\w`])_([^_`\n]+)_(?![\w`])")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+", re.MULTILINE)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def normalise(text: str) -> str:
    """Plain text of a markdown passage (or of a quote): no emphasis, links or list marks; single spaces.

    Backticks stay: they are part of the spec's words (``MCP-Session-Id``), not emphasis.
    """
    text = _TAGS.sub(" ", text)
    text = _LINK_DEF.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = _EMPHASIS.sub(r"\1", text)
    text = _LIST_MARK.sub(" ", text)
    text = html.unescape(text).replace("\\_", "_").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def quote_hash(quote: str) -> str:
    """The sha256 of a normalised quote, as stored in ``quote_hashes.json``."""
    return hashlib.sha256(normalise(quote).encode("utf-8")).hexdigest()


def spec_dir() -> Path | None:
    """The spec checkout named by ``MCPTEST_SPEC_DIR``, or None when unset or absent."""
    value = os.environ.get(ENV)
    if not value:
        return None
    path = Path(value)
    return path if (path / "2025-11-25").is_dir() else None


@dataclass(frozen=True)
class Page:
    """One spec page at one version: its normalised text and where each heading starts in it."""

    text: str
    headings: tuple[tuple[int, str], ...]

    def section_of(self, offset: int) -> str:
        """The title of the heading the text at ``offset`` falls under ('' before the first)."""
        title = ""
        for start, name in self.headings:
            if start > offset:
                break
            title = name
        return title


def _markdown_page(raw: str) -> Page:
    raw = _FENCE.sub(" ", raw)
    parts: list[str] = []
    headings: list[tuple[int, str]] = []
    length = 0
    last = 0
    for match in _HEADING.finditer(raw):
        chunk = normalise(raw[last : match.start()])
        parts.append(chunk)
        length += len(chunk) + 1
        headings.append((length, normalise(match.group(2))))
        last = match.end()
    parts.append(normalise(raw[last:]))
    return Page(" ".join(parts), tuple(headings))


def _schema_page(raw: str) -> Page:
    raw = re.sub(r"\{@link\s+([^}|]+?)\s*(?:\|\s*([^}]+?))?\s*\}", lambda m: m.group(2) or m.group(1), raw)
    comments = re.findall(r"/\*\*(.*?)\*/", raw, re.DOTALL)
    lines = [re.sub(r"^\s*\*\s?", "", line) for block in comments for line in block.splitlines()]
    return Page(normalise("\n".join(line for line in lines if not line.startswith("@"))), ())


def load_page(root: Path, version: str, page: str) -> Page | None:
    """The page ``page`` (``server/tools``, ``schema``) at ``version``, or None when the version has no such page.

    ``schema`` is read from the version's ``schema.ts`` doc comments (``<repo>/schema/<version>/schema.ts``).
    """
    if page == "schema":
        path = root.parent.parent / "schema" / version / "schema.ts"
        return _schema_page(path.read_text(encoding="utf-8")) if path.is_file() else None
    for candidate in (root / version / f"{page}.mdx", root / version / page / "index.mdx"):
        if candidate.is_file():
            return _markdown_page(candidate.read_text(encoding="utf-8"))
    return None


def find_quote(page: Page, quote: str) -> int | None:
    """Where ``quote`` starts in ``page``, or None.

    The parts of a quote with elisions must appear in order; each skipped stretch is at most ``MAX_GAP`` long and
    holds no other keyword and no sentence end, so an elision can only leave out items of the same list.
    """
    parts = [normalise(part) for part in quote.split("…")]
    parts = [part for part in parts if part]
    if not parts:
        return None
    start = page.text.find(parts[0])
    while start != -1:
        position = start + len(parts[0])
        for part in parts[1:]:
            found = page.text.find(part, position)
            if found == -1 or found - position > MAX_GAP or _GAP_BREAKS.search(page.text[position:found]):
                break
            position = found + len(part)
        else:
            return start
        start = page.text.find(parts[0], start + 1)
    return None
