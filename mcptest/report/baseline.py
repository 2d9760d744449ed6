"""Baselines: findings a project accepts for now (expected), new ones that fail the run, and stale entries.

A baseline is a YAML file (``--mcp-baseline FILE``; ``mcptest baseline TARGET`` writes one)::

    mcptest-baseline: 1
    expected:
      - check: BASE-10            # required: the check id (``mcptest checks`` lists them)
        version: "2025-03-26"     # optional: only at this protocol version
        item: add                 # optional: only this tool/prompt/resource (a glob: search_*)
        reason: the SDK answers JSON-RPC batches; tracked upstream   # required

Everything here is pure: findings and a baseline in, a verdict out.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from mcptest.findings import Finding
from mcptest.spec.requirements import REQUIREMENTS
from mcptest.spec.versions import KNOWN

FORMAT_KEY = "mcptest-baseline"
FORMAT = 1
ENTRY_KEYS = ("check", "item", "version", "reason")
PLACEHOLDER = "TODO: say why this finding is accepted for now (or fix it and delete this entry)"
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class BaselineError(ValueError):
    """A baseline file cannot be used; the message names the file, line and entry, and what is wrong."""


@dataclass(frozen=True)
class Entry:
    """One accepted finding: a check, maybe narrowed to an item (glob) and a protocol version."""

    check: str
    reason: str
    item: str | None = None
    version: str | None = None
    line: int = 0

    def matches(self, finding: Finding) -> bool:
        """True when ``finding`` is the one this entry accepts (any outcome)."""
        if finding.check != self.check:
            return False
        if self.version is not None and finding.version != self.version:
            return False
        return self.item is None or finding.item == self.item or fnmatch.fnmatchcase(finding.item, self.item)

    @property
    def label(self) -> str:
        """``CHECK``, ``CHECK[item]``, then ``@version``: how reports name the entry."""
        text = f"{self.check}[{self.item}]" if self.item is not None else self.check
        return f"{text}@{self.version}" if self.version else text


@dataclass(frozen=True)
class Baseline:
    """The entries of one baseline file, in file order."""

    entries: tuple[Entry, ...] = ()
    source: str = ""

    def match(self, finding: Finding) -> Entry | None:
        """The first entry that accepts ``finding``, or None."""
        return next((entry for entry in self.entries if entry.matches(finding)), None)

    def where(self, entry: Entry) -> str:
        """``FILE:LINE`` of an entry, for messages."""
        return f"{self.source}:{entry.line}" if entry.line else self.source


@dataclass(frozen=True)
class BaselineOutcome:
    """The verdict of a run against its baseline.

    Attributes:
        expected: problems the baseline accepts, each with its entry (they do not fail the run).
        new: failing problems the baseline does not list (they fail the run).
        stale: entries whose check ran and now passes where it counts (they fail the run: remove them).
        stale_warnings: entries for SHOULD checks that now pass, outside strict mode (reported only).
        unused: entries that matched nothing that ran (n/a, not selected): neither expected nor stale.
    """

    expected: tuple[tuple[Finding, Entry], ...] = ()
    new: tuple[Finding, ...] = ()
    stale: tuple[Entry, ...] = ()
    stale_warnings: tuple[Entry, ...] = ()
    unused: tuple[Entry, ...] = ()

    @property
    def failed(self) -> bool:
        """True when the run must fail: a new finding or a stale entry."""
        return bool(self.new or self.stale)

    def counts(self) -> str:
        """``3 expected, 1 new, 1 stale`` for summaries."""
        return f"{len(self.expected)} expected, {len(self.new)} new, {len(self.stale)} stale"


def gating(finding: Finding, strict: bool) -> bool:
    """True for a finding that fails a run: a MUST failure, or a SHOULD warning under strict mode."""
    return finding.outcome == "fail" or (strict and finding.outcome == "warn")


def expected_entry(finding: Finding, baseline: Baseline | None) -> Entry | None:
    """The entry that turns this finding into an expected one (only fail and warn findings can be expected)."""
    if baseline is None or finding.outcome not in ("fail", "warn"):
        return None
    return baseline.match(finding)


def apply_baseline(findings: Sequence[Finding], baseline: Baseline, strict: bool) -> BaselineOutcome:
    """Sort a run's findings into expected, new and stale against ``baseline``.

    An ``error`` finding is mcptest's own fault, never a claim about the server: it is neither expected nor
    new here (it fails its test on its own). Outside strict mode a SHOULD warning fails nothing, so an
    unlisted one is not new and a listed one that now passes is reported in ``stale_warnings`` only.
    """
    expected: list[tuple[Finding, Entry]] = []
    new: list[Finding] = []
    for finding in findings:
        entry = expected_entry(finding, baseline)
        if entry is not None:
            expected.append((finding, entry))
        elif gating(finding, strict):
            new.append(finding)
    used = {id(entry) for _, entry in expected}
    stale: list[Entry] = []
    stale_warnings: list[Entry] = []
    unused: list[Entry] = []
    for entry in baseline.entries:
        if id(entry) in used:
            continue
        passed = [f for f in findings if f.outcome == "pass" and entry.matches(f)]
        if not passed:
            unused.append(entry)
        elif strict or any(f.level == "MUST" for f in passed):
            stale.append(entry)
        else:
            stale_warnings.append(entry)
    return BaselineOutcome(tuple(expected), tuple(new), tuple(stale), tuple(stale_warnings), tuple(unused))


def load_baseline(path: str | Path) -> Baseline:
    """Read and check a baseline file.

    Raises:
        BaselineError: the file is missing or malformed; the message says where and what to change.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"baseline {path}: cannot be read ({exc.strerror}); "
                            "write one with: mcptest baseline TARGET > mcp-baseline.yaml") from None
    return parse_baseline(text, str(path))


def parse_baseline(text: str, source: str = "<baseline>") -> Baseline:
    """Parse baseline YAML (see the module docstring); every problem is reported at once, with its line."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise BaselineError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if root is None:
        raise BaselineError(f"{source}: the file is empty; it needs '{FORMAT_KEY}: {FORMAT}' and an 'expected:' list")
    if not isinstance(root, yaml.MappingNode):
        raise BaselineError(f"{source}:{_line(root)}: the top level must be a mapping with "
                            f"'{FORMAT_KEY}' and 'expected'")
    problems: list[str] = []
    top = _mapping(root, source, "the top level", (FORMAT_KEY, "expected"), problems)
    if FORMAT_KEY not in top:
        problems.append(f"{source}:{_line(root)}: '{FORMAT_KEY}: {FORMAT}' is missing (it names the file's format)")
    elif getattr(top[FORMAT_KEY], "value", None) != str(FORMAT):
        problems.append(f"{source}:{_line(top[FORMAT_KEY])}: '{FORMAT_KEY}' must be {FORMAT}, "
                        f"got {getattr(top[FORMAT_KEY], 'value', '?')!r}")
    listing = top.get("expected")
    entries: list[Entry] = []
    if listing is None:
        problems.append(f"{source}:{_line(root)}: 'expected:' is missing (a list of entries; it may be empty: [])")
    elif isinstance(listing, yaml.ScalarNode) and listing.tag.endswith(":null"):
        pass  # "expected:" with nothing under it: no entries
    elif not isinstance(listing, yaml.SequenceNode):
        problems.append(f"{source}:{_line(listing)}: 'expected' must be a list of entries")
    else:
        for number, node in enumerate(listing.value, 1):
            entry = _entry(node, number, source, problems)
            if entry is not None:
                entries.append(entry)
    problems.extend(_duplicates(entries, source))
    if problems:
        raise BaselineError("malformed baseline:\n  " + "\n  ".join(problems))
    return Baseline(tuple(entries), source)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: yaml.MappingNode, source: str, what: str, allowed: Sequence[str],
             problems: list[str]) -> dict[str, yaml.Node]:
    """The keys of a mapping node (scalar keys only), with unknown and repeated keys reported."""
    result: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = getattr(key, "value", None)
        if not isinstance(name, str) or name not in allowed:
            problems.append(f"{source}:{_line(key)}: {what}: unknown key {name!r} (valid: {', '.join(allowed)})")
        elif name in result:
            problems.append(f"{source}:{_line(key)}: {what}: {name!r} is given twice")
        else:
            result[name] = value
    return result


def _entry(node: yaml.Node, number: int, source: str, problems: list[str]) -> Entry | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(f"{source}:{_line(node)}: entry {number}: must be a mapping like "
                        "'- check: BASE-10' with a 'reason:'")
        return None
    before = len(problems)
    fields = _mapping(node, source, f"entry {number}", ENTRY_KEYS, problems)
    values: dict[str, str] = {}
    for name, value in fields.items():
        if not isinstance(value, yaml.ScalarNode) or value.tag not in (_STR, _TIMESTAMP, "tag:yaml.org,2002:int"):
            problems.append(f"{source}:{_line(value)}: entry {number}: {name!r} must be a string")
        else:
            values[name] = value.value.strip()
    label = f"entry {number}" + (f" ({values['check']})" if values.get("check") else "")
    where = f"{source}:{_line(node)}: {label}"
    check = values.get("check")
    if not check:
        problems.append(f"{where}: 'check' is missing (a check id such as BASE-10; `mcptest checks` lists them)")
    elif check not in REQUIREMENTS:
        problems.append(f"{where}: no check {check!r} (`mcptest checks` lists the ids)")
    if not values.get("reason"):
        problems.append(f"{where}: 'reason' is missing or empty (say why this finding is accepted for now)")
    version = values.get("version")
    if version is not None and version not in KNOWN:
        problems.append(f"{where}: version {version!r} is not a protocol version (valid: {', '.join(KNOWN)})")
    if "item" in values and not values["item"]:
        problems.append(f"{where}: 'item' is empty (leave it out to match every item)")
    if len(problems) > before or not check:
        return None
    return Entry(check=check, reason=values["reason"], item=values.get("item"), version=version, line=_line(node))


def _duplicates(entries: Iterable[Entry], source: str) -> list[str]:
    seen: dict[tuple[str, str | None, str | None], Entry] = {}
    problems = []
    for entry in entries:
        key = (entry.check, entry.item, entry.version)
        if key in seen:
            problems.append(f"{source}:{entry.line}: {entry.label} repeats the entry on line {seen[key].line}")
        else:
            seen[key] = entry
    return problems


def dump_baseline(findings: Iterable[Finding], target: str = "") -> str:
    """The baseline that accepts every fail/warn finding of a run, one entry per check, item and version.

    Each entry gets a comment with the finding's level and gist and a reason placeholder to fill in.
    """
    lines = [
        f"# mcptest baseline{f' for: {_comment(target)}' if target else ''}",
        "# Listed findings are expected: reported, but they do not fail the run. A finding not listed fails it,",
        "# and so does an entry whose check now passes (remove it then). Replace each TODO with the reason.",
        f"{FORMAT_KEY}: {FORMAT}",
    ]
    entries: dict[tuple[str, str, str], Finding] = {}
    for finding in findings:
        if finding.outcome in ("fail", "warn"):
            entries.setdefault((finding.check, finding.item, finding.version), finding)
    if not entries:
        return "\n".join([*lines, "expected: []", ""])
    lines.append("expected:")
    for (check, item, version), finding in sorted(entries.items()):
        lines.append(f"  # {finding.level}: {_comment(finding.gist(200))}")
        lines.append(f"  - check: {check}")
        if item:
            lines.append(f"    item: {_quote(item)}")
        if version:
            lines.append(f"    version: {_quote(version)}")
        lines.append(f"    reason: {_quote(PLACEHOLDER)}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML), so globs and dates stay strings."""
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())
