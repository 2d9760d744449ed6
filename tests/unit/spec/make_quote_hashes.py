"""Find every requirement's quote in the MCP spec text and record its sha256 in quote_hashes.json.

Usage (from the repository root):

    MCPTEST_SPEC_DIR=/path/to/modelcontextprotocol/docs/specification python tests/unit/spec/make_quote_hashes.py
    ... make_quote_hashes.py --check      # exit 1 if the committed file is not what the spec gives today

Every quote of an MCP page (and of the schema's doc comments) must be found verbatim, at every version it is
claimed for, under the heading the requirement names; otherwise nothing is written and each problem is listed.
Quotes from outside the spec repository (JSON-RPC 2.0, RFCs) are recorded as ``external``: they were checked by
hand, and the hash still proves nobody edited them since.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mcptest.spec.model import Requirement  # noqa: E402
from mcptest.spec.requirements import REQUIREMENTS  # noqa: E402
from tests.unit.spec.spectext import (  # noqa: E402
    ENV,
    Page,
    find_quote,
    load_page,
    quote_hash,
    spec_dir,
)

OUT = Path(__file__).with_name("quote_hashes.json")


def is_external(entry: Requirement, version: str) -> bool:
    """True when the quote at ``version`` comes from outside the MCP spec repository."""
    return entry.source_at(version) == "jsonrpc" or entry.page_at(version).startswith("https://")


def schema_problems(root: Path, entry: Requirement, version: str, cache: dict[str, dict]) -> list[str]:
    """Schema references of ``entry`` that the version's schema.json does not define."""
    if version not in cache:
        data = json.loads((root.parent.parent / "schema" / version / "schema.json").read_text(encoding="utf-8"))
        cache[version] = data.get("definitions") or data.get("$defs") or {}
    problems = []
    for ref in entry.schema:
        name, _, member = ref.partition(".")
        found = cache[version].get(name)
        if found is None or (member and member not in found.get("properties", {})):
            problems.append(f"{entry.id} @ {version}: schema has no {ref}")
    return problems


def fixture_entries(entry: Requirement) -> list[dict]:
    """What the fixture records for ``entry``: one item per distinct (quote, page), with its versions and hash."""
    groups: dict[tuple[str, str], list[str]] = {}
    for version in entry.versions:
        groups.setdefault((entry.quote_at(version), entry.page_at(version)), []).append(version)
    return [
        {
            "sha256": quote_hash(quote),
            "versions": versions,
            "found": "external" if is_external(entry, versions[0]) else page,
        }
        for (quote, page), versions in groups.items()
    ]


def collect(root: Path) -> tuple[dict, list[str]]:
    """The fixture content and the problems found (empty when every quote was found)."""
    pages: dict[tuple[str, str], Page | None] = {}
    schemas: dict[str, dict] = {}
    digest = hashlib.sha256()
    problems: list[str] = []
    for entry in REQUIREMENTS.values():
        for version in entry.versions:
            quote, page = entry.quote_at(version), entry.page_at(version)
            problems += schema_problems(root, entry, version, schemas)
            if is_external(entry, version):
                continue
            key = (version, page)
            if key not in pages:
                pages[key] = load_page(root, version, page)
                digest.update(f"{version}/{page}\n".encode() + (pages[key].text.encode() if pages[key] else b""))
            found = pages[key]
            where = find_quote(found, quote) if found else None
            if found is None:
                problems.append(f"{entry.id} @ {version}: no page {page!r}")
            elif where is None:
                problems.append(f"{entry.id} @ {version}: quote not on {page}: {quote[:100]!r}")
            elif page != "schema" and found.section_of(where) != entry.section_at(version):
                problems.append(
                    f"{entry.id} @ {version}: quote sits under {found.section_of(where)!r}, "
                    f"not {entry.section_at(version)!r}"
                )
    quotes = {entry.id: fixture_entries(entry) for entry in REQUIREMENTS.values()}
    return {"spec_pages_sha256": digest.hexdigest(), "quotes": quotes}, problems


def render(content: dict) -> str:
    """The fixture as JSON with one line per requirement (small diffs when one quote changes)."""
    lines = [
        f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)}" for key, value in sorted(content["quotes"].items())
    ]
    return (
        f'{{\n "spec_pages_sha256": {json.dumps(content["spec_pages_sha256"])},\n "quotes": {{\n'
        + ",\n".join(lines)
        + "\n }\n}\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) quote_hashes.json; 1 on any problem, 2 without a spec checkout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = parser.parse_args(argv)
    root = spec_dir()
    if root is None:
        print(f"set {ENV} to the docs/specification folder of a checkout of the MCP spec repository", file=sys.stderr)
        return 2
    content, problems = collect(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s); {OUT.name} left unchanged", file=sys.stderr)
        return 1
    text = render(content)
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run {Path(__file__).name} without --check", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(
        f"wrote {OUT.relative_to(ROOT)}: {sum(len(v) for v in content['quotes'].values())} quotes "
        f"of {len(content['quotes'])} requirements"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
