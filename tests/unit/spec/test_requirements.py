"""The requirement catalogue: every entry quotes one spec sentence whose keyword matches its level, verbatim."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from mcptest.spec.describe import AREAS, area, describe, requirements_markdown
from mcptest.spec.model import LEVELS, SOURCES, Requirement, anchor
from mcptest.spec.requirements import REQUIREMENTS, requirement
from mcptest.spec.versions import KNOWN
from tests.unit.spec import make_quote_hashes
from tests.unit.spec.spectext import ENV, find_quote, load_page, normalise, spec_dir

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).with_name("quote_hashes.json")
KEYWORDS = re.compile(
    r"\b(MUST NOT|MUST|REQUIRED|SHALL NOT|SHALL|SHOULD NOT|SHOULD|NOT RECOMMENDED|RECOMMENDED|MAY|OPTIONAL)\b"
)
FAMILY = {
    "MUST": {"MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT"},
    "SHOULD": {"SHOULD", "SHOULD NOT", "RECOMMENDED", "NOT RECOMMENDED"},
    "MAY": {"MAY", "OPTIONAL"},
}
CLIENT_SUBJECT = re.compile(r"\b(clients?|sender|requestor)\b", re.IGNORECASE)
SERVER_SUBJECT = re.compile(r"\b(servers?|receivers?|implementations?|parties)\b", re.IGNORECASE)
ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs)\.", re.IGNORECASE)
EXPECTED_SPLITS = {"HTTP-17", "TOOL-13", "TOOL-14", "BASE-16", "STDIO-07", "MOD-20"}
ENTRIES = list(REQUIREMENTS.values())
PER_VERSION = [(entry, version) for entry in ENTRIES for version in entry.versions]


def sentence_problem(quote: str) -> str | None:
    """Why ``quote`` is not one sentence (an elision may skip list items, never a sentence end), or None."""
    parts = quote.split("…")
    if any(part.rstrip().endswith((".", "!", "?")) for part in parts[:-1]):
        return "an elision (…) crosses the end of a sentence"
    plain = ABBREVIATIONS.sub("", re.sub(r"\([^)]*\)", "", re.sub(r"`[^`]*`", "CODE", quote)))
    if re.search(r"[.!?]\s+\S", plain):
        return "more than one sentence"
    return None


def binds_client(quote: str, level: str) -> bool:
    """True when the words before the keyword name the client (and no server) as the one bound."""
    wanted = FAMILY.get(level, {k for family in FAMILY.values() for k in family})
    match = next((m for m in KEYWORDS.finditer(quote) if m.group(1) in wanted), None)
    if match is None:
        return False
    subject = quote[: match.start()]
    return bool(CLIENT_SUBJECT.search(subject)) and not SERVER_SUBJECT.search(subject)


def test_ids_are_unique_well_formed_and_cover_every_area() -> None:
    assert len(REQUIREMENTS) == len({entry.id for entry in ENTRIES})
    for entry in ENTRIES:
        assert re.fullmatch(r"[A-Z]+(-[A-Z]+)?-?\d*", entry.id) and area(entry) in AREAS, entry.id


def completeness_problems(entry: Requirement) -> list[str]:
    """What ``entry`` lacks: quote, summary, page, versions in protocol order, known level/source/transports."""
    problems = []
    if not (entry.quote.strip() and entry.text.strip() and entry.page):
        problems.append(f"{entry.id}: needs a quote, a summary and a page")
    if not entry.versions or tuple(v for v in KNOWN if v in entry.versions) != entry.versions:
        problems.append(f"{entry.id}: versions must be known versions, oldest first: {entry.versions}")
    if (
        entry.level not in LEVELS
        or entry.source not in SOURCES
        or not set(entry.transports) <= {"stdio", "http", "sse"}
    ):
        problems.append(f"{entry.id}: unknown level, source or transport")
    if not set(entry.at) <= set(entry.versions):
        problems.append(f"{entry.id}: overrides for versions it does not belong to: {sorted(set(entry.at))}")
    if not entry.url().startswith("https://"):
        problems.append(f"{entry.id}: url {entry.url()!r}")
    if any(entry.source_at(version) == "schema" for version in entry.versions) and not entry.schema:
        problems.append(f"{entry.id}: a schema requirement names the schema definitions it rests on")
    return problems


def keyword_problems(entry: Requirement, version: str) -> list[str]:
    """How the quote of ``entry`` at ``version`` disagrees with its level, source or subject."""
    quote, level, source = entry.quote_at(version), entry.level_at(version), entry.source_at(version)
    where = f"{entry.id} @ {version}"
    problems = []
    sentence = sentence_problem(quote)
    if sentence:
        problems.append(f"{where}: {sentence}: {quote!r}")
    keywords = {m.group(1) for m in KEYWORDS.finditer(quote)}
    if source in ("jsonrpc", "practice") and level not in ("SHOULD", "MAY", "INFO"):
        problems.append(f"{where}: a {source} expectation is at most SHOULD, not {level}")
    if source == "mcp" and not keywords:
        problems.append(f"{where}: an MCP quote must carry its BCP 14 keyword: {quote!r}")
    elif source == "mcp" and level != "INFO" and not keywords & FAMILY[level]:
        problems.append(f"{where}: level {level} but the quote says {sorted(keywords)}")
    if binds_client(quote, level) and entry.binds != "client":
        problems.append(f"{where}: the quote binds the client: declare binds='client'")
    if (entry.binds == "client" or binds_client(quote, level)) and level != "INFO":
        problems.append(f"{where}: a client-side sentence gives the server no rule: INFO, not {level}")
    return problems


def test_every_requirement_is_complete() -> None:
    assert [problem for entry in ENTRIES for problem in completeness_problems(entry)] == []


def test_every_quote_is_one_sentence_whose_keyword_matches_the_level() -> None:
    assert [problem for entry, version in PER_VERSION for problem in keyword_problems(entry, version)] == []


def test_the_rules_catch_a_wrong_level_a_client_sentence_and_two_sentences() -> None:
    page02, life04 = requirement("PAGE-02"), requirement("LIFE-04")
    wrong = {
        "level": replace(page02, level="MUST"),
        "client": replace(life04, level="SHOULD"),
        "binds": replace(life04, binds="server"),
        "jsonrpc": replace(requirement("BASE-05"), level="MUST"),
        "sentences": replace(page02, quote="Invalid cursors SHOULD fail. Servers SHOULD log."),
        "keyword": replace(page02, quote="Invalid cursors result in an error."),
    }
    assert all(keyword_problems(entry, entry.versions[-1]) for entry in wrong.values())
    assert completeness_problems(replace(requirement("TOOL-05"), schema=()))


def test_levels_that_changed_per_version_only_weaken_older_versions() -> None:
    order = {level: index for index, level in enumerate(LEVELS)}
    for entry in ENTRIES:
        for version in entry.versions:
            assert order[entry.level_at(version)] >= order[entry.level] or entry.level == "INFO", entry.id


def test_the_audit_list_is_fixed() -> None:
    assert requirement("TOOL-10").level == "MUST" and "-32602" not in requirement("TOOL-10").quote
    assert requirement("TOOL-13").level == "SHOULD" and requirement("TOOL-05").source == "schema"
    assert (requirement("HTTP-02").level, requirement("HTTP-17").level) == ("MUST", "SHOULD")
    assert requirement("HTTP-04").level == "SHOULD" and requirement("HTTP-08").level == "MUST"
    assert requirement("PAGE-01").level == "SHOULD"
    assert requirement("LIFE-04").level == requirement("LIFE-09").level == "INFO"
    assert "2024-11-05" not in requirement("COMP-01").versions + requirement("BASE-12").versions
    assert requirement("PROG-03").versions == ("2024-11-05",) and requirement("PROG-03").level == "INFO"
    assert requirement("TOOL-03").level_at("2025-06-18") == "MUST" and "$ref" not in requirement("TOOL-03").quote
    assert requirement("TOOL-15").level == "INFO"
    assert EXPECTED_SPLITS <= set(REQUIREMENTS)


def test_era_specific_families_stay_in_their_era() -> None:
    for entry in ENTRIES:
        if area(entry) in ("MOD", "MHTTP"):
            assert entry.versions == ("2026-07-28",), entry.id
        if area(entry) == "SSE":
            assert entry.versions == ("2024-11-05",), entry.id
        if area(entry) == "HTTP":
            assert "2024-11-05" not in entry.versions and "2026-07-28" not in entry.versions, entry.id
    assert requirement("HTTP-10").versions[0] == "2025-06-18"


def test_every_id_the_checks_use_exists() -> None:
    from mcptest.checks import CHECKS

    assert {check.id for check in CHECKS} <= set(REQUIREMENTS)


def test_unknown_id_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="unknown requirement id 'NOPE-01'.*mcptest checks"):
        requirement("NOPE-01")


def test_url_points_at_the_version_page_and_heading() -> None:
    tool10 = requirement("TOOL-10")
    assert (
        tool10.url("2025-03-26")
        == "https://modelcontextprotocol.io/specification/2025-03-26/server/tools#security-considerations"
    )
    assert tool10.url("1999-01-01").startswith("https://modelcontextprotocol.io/specification/2026-07-28/")
    assert requirement("BASE-13").url("2025-06-18").endswith("/2025-06-18/basic#meta")
    assert requirement("TOOL-13").url("2024-11-05").endswith("/schema/2024-11-05/schema.ts")
    assert requirement("BASE-07").url() == "https://www.jsonrpc.org/specification#error_object"
    assert anchor("Security & Endpoint") == "security-endpoint" and anchor("`$ref` Resolution") == "ref-resolution"


def test_per_version_wording_and_level() -> None:
    life07 = requirement("LIFE-07")
    assert life07.level_at("2025-03-26") == "SHOULD" and life07.level_at("2025-06-18") == "MUST"
    assert "SHOULD" in life07.quote_at("2024-11-05") and set(life07.quotes) == {"2024-11-05", "2025-03-26"}
    assert requirement("BASE-04").quote_at("2025-03-26") == requirement("BASE-04").quote


def test_describe_prints_the_sentence_and_older_wordings() -> None:
    text = describe(requirement("LIFE-07"))
    assert text.splitlines()[0] == "LIFE-07  MUST  (2024-11-05 to 2025-11-25; all transports)"
    assert '"Both parties MUST: … Only use capabilities that were successfully negotiated"' in text
    assert 'at 2024-11-05 to 2025-03-26 (SHOULD): "Both parties SHOULD:' in text
    at_old = describe(requirement("LIFE-07"), "2024-11-05")
    assert "  SHOULD  " in at_old.splitlines()[0] and "2024-11-05/basic/lifecycle#operation" in at_old
    assert "[jsonrpc: JSON-RPC 2.0" in describe(requirement("SERVER-ALIVE"))


def test_docs_requirements_md_is_generated_from_the_tables() -> None:
    committed = (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
    assert committed == requirements_markdown(), (
        "docs/requirements.md is stale: python -m mcptest.spec.describe > docs/requirements.md"
    )
    assert all(f"### {entry.id} ({entry.level})" in committed for entry in ENTRIES)


def test_quotes_match_the_hashes_recorded_from_the_spec() -> None:
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))["quotes"]
    assert set(recorded) == set(REQUIREMENTS), "run tests/unit/spec/make_quote_hashes.py (ids added or removed)"
    for entry in ENTRIES:
        assert make_quote_hashes.fixture_entries(entry) == recorded[entry.id], (
            f"{entry.id}: its quote, page or versions changed since the spec check; rerun make_quote_hashes.py "
            f"with {ENV} set"
        )


def test_normalise_strips_markdown_but_keeps_words_and_code() -> None:
    raw = (
        "- The server **MUST NOT** send a JSON-RPC _response_ on [the\n  stream](#x) unless `Mcp-Session-Id` &mdash; ok"
    )
    assert normalise(raw) == "The server MUST NOT send a JSON-RPC response on the stream unless `Mcp-Session-Id` — ok"


def test_sentence_and_subject_rules_catch_what_they_must() -> None:
    assert sentence_problem("Servers MUST do this. Clients MAY do that.") == "more than one sentence"
    assert sentence_problem("It MUST end. … And go on") is not None
    assert sentence_problem("Values (e.g. `a.b`) MUST be valid, i.e. parsed.") is None
    assert binds_client(
        "The client SHOULD NOT send requests other than pings before the server has responded", "SHOULD"
    )
    assert not binds_client("If the server receives a request, it MUST respond with 400.", "MUST")


spec_root = spec_dir()
needs_spec = pytest.mark.skipif(
    spec_root is None, reason=f"{ENV} is not set to a checkout of the MCP spec's docs/specification"
)


@needs_spec
def test_every_quote_is_in_the_spec_verbatim_and_the_fixture_is_current() -> None:
    assert spec_root is not None
    content, problems = make_quote_hashes.collect(spec_root)
    assert problems == []
    assert FIXTURE.read_text(encoding="utf-8") == make_quote_hashes.render(content), "regenerate quote_hashes.json"


@needs_spec
def test_quote_finder_rejects_a_sentence_the_spec_does_not_contain() -> None:
    assert spec_root is not None
    page = load_page(spec_root, "2025-11-25", "server/tools")
    assert page is not None
    assert find_quote(page, "Servers MUST: … Validate all tool inputs") is not None
    assert find_quote(page, "Servers MUST validate all tool inputs with -32602") is None
    assert find_quote(page, "Servers MUST: … Prompt for user confirmation on sensitive operations") is None
