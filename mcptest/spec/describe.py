"""Render requirements for people: one requirement as text (`mcptest checks`), all of them as Markdown (docs)."""

from __future__ import annotations

from collections import Counter

from mcptest.spec.model import LEVELS, SOURCES, Requirement
from mcptest.spec.requirements import REQUIREMENTS
from mcptest.spec.versions import HANDSHAKE, KNOWN, MODERN

AREAS: dict[str, str] = {
    "BASE": "JSON-RPC framing",
    "LIFE": "Lifecycle (handshake era)",
    "PING": "Ping",
    "CANC": "Cancellation",
    "PROG": "Progress",
    "PAGE": "Pagination",
    "LOG": "Logging",
    "COMP": "Completion",
    "TOOL": "Tools",
    "FUZZ": "Fuzzing (tools)",
    "RES": "Resources",
    "PROMPT": "Prompts",
    "STDIO": "stdio transport",
    "SSE": "HTTP+SSE transport (2024-11-05)",
    "HTTP": "Streamable HTTP (2025-03-26 to 2025-11-25)",
    "MHTTP": "Streamable HTTP (2026-07-28)",
    "MOD": "Per-request era (2026-07-28)",
    "CAP": "Client capabilities",
    "SERVER": "Robustness",
    "STATE": "Stateful sequences",
}
"""Each id prefix and the area it names, in the order listings show them."""


def area(entry: Requirement) -> str:
    """The id prefix of ``entry`` (``TOOL`` for ``TOOL-05``), a key of ``AREAS``."""
    return entry.id.split("-", 1)[0]


def version_span(versions: tuple[str, ...]) -> str:
    """Versions as readable ranges: ``all versions``, ``2025-03-26 to 2025-11-25``, ``2025-06-18 to 2026-07-28``."""
    if versions == KNOWN:
        return "all versions"
    if len(versions) == 1:
        return versions[0]
    runs: list[list[str]] = []
    for version in versions:
        if runs and KNOWN.index(version) == KNOWN.index(runs[-1][-1]) + 1:
            runs[-1].append(version)
        else:
            runs.append([version])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs)


def _scope(entry: Requirement) -> str:
    transports = "/".join(entry.transports) if entry.transports else "all transports"
    return f"{version_span(entry.versions)}; {transports}"


def _differences(entry: Requirement, version: str | None) -> list[tuple[str, str, str, str]]:
    """(versions, level, quote, url) for each older wording that differs from the one shown."""
    if version is not None:
        return []
    shown = (entry.level, entry.quote)
    rows: dict[tuple[str, str, str], list[str]] = {}
    for other in entry.versions:
        key = (entry.level_at(other), entry.quote_at(other), entry.page_at(other))
        if (key[0], key[1]) != shown:
            rows.setdefault(key, []).append(other)
    return [(version_span(tuple(vs)), level, quote, entry.url(vs[-1])) for (level, quote, _), vs in rows.items()]


def describe(entry: Requirement, version: str | None = None) -> str:
    """``entry`` as a few indented lines: id, level, scope, summary, the spec's sentence and its URL.

    With ``version``, the level, sentence and URL are those of that version; without, those of the newest
    version, followed by each older wording that differs.
    """
    chosen = entry.chosen(version)
    source = entry.source_at(chosen)
    lines = [
        f"{entry.id}  {entry.level_at(chosen)}  ({_scope(entry)})",
        f"  {entry.text}",
        f'  "{entry.quote_at(chosen)}"',
        f"  {entry.url(chosen)}" + ("" if source == "mcp" else f"  [{source}: {SOURCES[source]}]"),
    ]
    for span, level, quote, url in _differences(entry, version):
        lines.append(f'  at {span} ({level}): "{quote}"  {url}')
    if entry.note:
        lines.append(f"  note: {entry.note}")
    return "\n".join(lines)


def counts() -> dict[str, Counter[str]]:
    """How many requirements each area has per level (levels at each requirement's newest version)."""
    table: dict[str, Counter[str]] = {}
    for entry in REQUIREMENTS.values():
        table.setdefault(area(entry), Counter())[entry.level] += 1
    return table


def _counts_markdown() -> list[str]:
    table = counts()
    lines = ["| area | " + " | ".join(LEVELS) + " | total |", "|---|" + "---:|" * (len(LEVELS) + 1)]
    for prefix in sorted(table, key=list(AREAS).index):
        row = table[prefix]
        lines.append(
            f"| {prefix} ({AREAS[prefix]}) | "
            + " | ".join(str(row[level]) for level in LEVELS)
            + f" | {sum(row.values())} |"
        )
    totals = Counter(entry.level for entry in REQUIREMENTS.values())
    lines.append(
        "| **all** | " + " | ".join(f"**{totals[level]}**" for level in LEVELS) + f" | **{len(REQUIREMENTS)}** |"
    )
    return lines


def _entry_markdown(entry: Requirement) -> list[str]:
    source = entry.source
    lines = [
        f"### {entry.id} ({entry.level})",
        "",
        f"{entry.text}",
        "",
        f"> {entry.quote}",
        "",
        f"- versions: {version_span(entry.versions)}; transports: {'/'.join(entry.transports) or 'all'}",
        f"- source: {source}" + ("" if source == "mcp" else f" ({SOURCES[source]})") + f"; [spec]({entry.url()})",
    ]
    if entry.schema:
        lines.append(f"- schema: {', '.join(f'`{ref}`' for ref in entry.schema)}")
    for span, level, quote, url in _differences(entry, None):
        lines.append(f'- at {span} ({level}, [spec]({url})): "{quote}"')
    if entry.note:
        lines.append(f"- note: {entry.note}")
    return lines + [""]


def requirements_markdown() -> str:
    """The whole catalogue as Markdown (``docs/requirements.md``)."""
    era = f"handshake era {HANDSHAKE[0]} to {HANDSHAKE[-1]}, per-request era {MODERN[0]}"
    lines = [
        "# Requirements",
        "",
        "<!-- Generated: python -m mcptest.spec.describe > docs/requirements.md (do not edit by hand) -->",
        "",
        "Every check of mcptest verifies one requirement of the MCP specification",
        f"({era}). Each requirement quotes the spec's own sentence, verbatim, from the",
        "newest version it belongs to; where an older version words it differently, that wording is listed too.",
        "",
        "Levels: the keyword of the quoted sentence decides (MUST/REQUIRED/SHALL: MUST; SHOULD/RECOMMENDED: SHOULD;",
        "MAY/OPTIONAL: MAY). A sentence that binds the client gives the server no rule: INFO. Sources:",
        "",
        *[f"- **{name}**: {text}" for name, text in SOURCES.items()],
        "",
        "A MUST finding fails a run; SHOULD and MAY findings warn (fail with `--mcp-strict`); INFO is recorded only.",
        "",
        "## Counts",
        "",
        *_counts_markdown(),
        "",
    ]
    by_area: dict[str, list[Requirement]] = {}
    for entry in REQUIREMENTS.values():
        by_area.setdefault(area(entry), []).append(entry)
    for prefix in sorted(by_area, key=list(AREAS).index):
        lines += [f"## {AREAS[prefix]}", ""]
        for entry in by_area[prefix]:
            lines += _entry_markdown(entry)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(requirements_markdown(), end="")
