"""Typed check outcomes: a Violation raised by a check, NotApplicable with its reason, and the Finding reports use."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from mcptest.spec.requirements import Requirement, requirement

Outcome = Literal["pass", "fail", "warn", "info", "n/a", "error"]
OUTCOMES: tuple[Outcome, ...] = ("fail", "error", "warn", "info", "pass", "n/a")
"""Every outcome, most severe first. ``error`` is a bug or misuse of mcptest, never a claim about the server;
``info`` is a finding against a MAY or INFO requirement (a client-side sentence, or a behaviour the spec only
describes): reported, never failing, even under --mcp-strict."""


def outcome_for(level: str, strict: bool) -> Outcome:
    """What a violation at ``level`` makes of a check: MUST fails, SHOULD warns (fails when strict), others inform."""
    if level == "MUST" or (level == "SHOULD" and strict):
        return "fail"
    return "warn" if level == "SHOULD" else "info"


class NotApplicable(Exception):
    """The check does not apply to this server (capability not declared, version without the method, ...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Violation(AssertionError):
    """The server broke one requirement; raised by a check, turned into a Finding by the runner.

    Attributes:
        requirement: what was broken.
        expected: what the spec asks for, in a phrase.
        actual: what came back.
        sent: the raw request(s) that show it.
        reproduce: a command that reproduces it.
        details: diagnostics (last frames, stderr tail).
        version: the protocol version the exchange used.
        transient: ``crash`` or ``hang`` when the evidence is the server dying or going silent, which concurrent
            checks can cause: the runner then re-runs the check alone and reports only what happens again.
        recheck: with ``transient``, what the check's re-run alone may try first (the check's own data, e.g. the
            minimal failing fuzz input: replaying it is enough to confirm, where a new search would repeat it all).
    """

    def __init__(
        self,
        req_id: str,
        expected: str,
        actual: str,
        *,
        sent: str = "",
        reproduce: str = "",
        details: str = "",
        version: str | None = None,
        transient: str = "",
        recheck: object = None,
    ) -> None:
        self.requirement: Requirement = requirement(req_id)
        self.transient = transient
        self.recheck = recheck
        self.expected = expected
        self.actual = actual
        self.sent = sent
        self.reproduce = reproduce
        self.details = details
        self.version = version
        super().__init__(f"[{req_id}] expected {expected}; got {actual}")

    @property
    def level(self) -> str:
        """The requirement's level at the violation's version (MUST, SHOULD, MAY or INFO)."""
        return self.requirement.level_at(self.version)

    def render(self) -> str:
        """The full message, as a Finding of this violation renders it."""
        req = self.requirement
        return render_evidence(req.id, self.level, req.quote_at(self.version), self.expected, self.actual,
                               self.version or "", req.url(self.version), self.sent, self.reproduce, self.details)


def render_evidence(
    req_id: str, level: str, text: str, expected: str, actual: str, version: str, url: str, sent: str, reproduce: str,
    details: str,
) -> str:
    """What a user reads for a finding: what, where in the spec, what was sent, how to reproduce."""
    lines = [
        f"[{req_id}] {level}: {text}",
        f"  expected: {expected}",
        f"  got:      {actual}",
        f"  version:  {version}" if version else "",
        f"  spec:     {url}",
        f"  sent:     {sent}" if sent else "",
        f"  reproduce: {reproduce}" if reproduce else "",
        details,
    ]
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Finding:
    """One planned check's outcome against one server, at one protocol version, maybe for one item.

    This object travels unchanged from the runner to the pytest item, the terminal summary, the report
    files, baselines and xdist's controller (as ``as_dict``/``from_dict``): nothing parses rendered text.

    Attributes:
        check: the check's id (``TOOL-05``).
        requirement: the requirement the outcome is about; differs from ``check`` when the server died
            during the check (``SERVER-ALIVE``).
        level: the requirement's level.
        outcome: pass, fail, warn (a SHOULD finding outside strict mode), n/a or error (mcptest's fault).
        version: the protocol version the check ran at.
        item: the tool/prompt name or resource URI for per-item checks, else empty.
        target: the server as the user named it.
        transport: stdio, http or sse.
        expected, actual, sent, reproduce, details: the evidence of a fail/warn.
        reason: why a check was n/a, or what went wrong inside mcptest for an error.
        text: the requirement's sentence, url: its spec section at ``version``.
        seconds: how long the check took.
        extra: anything else a check wants to report (JSON-ready).
    """

    check: str
    requirement: str
    level: str
    outcome: Outcome
    version: str = ""
    item: str = ""
    target: str = ""
    transport: str = ""
    expected: str = ""
    actual: str = ""
    sent: str = ""
    reproduce: str = ""
    details: str = ""
    reason: str = ""
    text: str = ""
    url: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A stable id within one run: ``CHECK``, ``CHECK:item``, then ``@version``."""
        base = f"{self.check}:{self.item}" if self.item else self.check
        return f"{base}@{self.version}" if self.version else base

    @property
    def area(self) -> str:
        """The requirement's family (``TOOL``, ``HTTP``, ...), for grouping in reports."""
        return self.check.split("-", 1)[0]

    @property
    def problem(self) -> bool:
        """True for fail, warn, info and error: an outcome with something to read."""
        return self.outcome in ("fail", "warn", "info", "error")

    def gist(self, width: int = 160) -> str:
        """One line: ``expected ...; got ...`` for a finding, the reason otherwise."""
        if self.expected or self.actual:
            actual = self.actual.splitlines()[0] if self.actual else ""
            text = f"expected {self.expected}; got {actual}"
        else:
            text = self.reason.splitlines()[0] if self.reason else self.outcome
        return text if len(text) <= width else text[: width - 3] + "..."

    def render(self) -> str:
        """The full message a user reads: what, where in the spec, what was sent, how to reproduce."""
        if self.outcome == "pass":
            return self.extra.get("note", "")
        if self.outcome in ("n/a", "error"):
            return f"[{self.requirement}] {self.outcome}: {self.reason}"
        text = render_evidence(self.requirement, self.level, self.text, self.expected, self.actual, self.version,
                               self.url, self.sent, self.reproduce, self.details)
        note = self.extra.get("note")
        return f"{text}\n  note: {note}" if note else text

    @property
    def message(self) -> str:
        """``render()``, for code that wants one string."""
        return self.render()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``from_dict`` restores it): ``dataclasses.asdict`` without copying every string."""
        data = {name: getattr(self, name) for name in _FIELDS}
        data["extra"] = copy.deepcopy(self.extra) if self.extra else {}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """The Finding ``as_dict`` produced (unknown keys are ignored, so older reports still load)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


_FIELDS = tuple(f.name for f in fields(Finding))


def sort_key(finding: Finding) -> tuple[Any, ...]:
    """Most severe first, then by check, version and item: a stable order for summaries."""
    return (OUTCOMES.index(finding.outcome), finding.check, finding.version, finding.item)
