"""Typed check outcomes: a Violation of one requirement, or NotApplicable with its reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mcptest.spec.requirements import Requirement, requirement

Outcome = Literal["pass", "fail", "warn", "n/a"]


class NotApplicable(Exception):
    """The check does not apply to this server (capability not declared, version without the method)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Violation(AssertionError):
    """The server broke one requirement.

    Attributes:
        requirement: what was broken.
        expected: what the spec asks for, in a phrase.
        actual: what came back.
        sent: the raw request(s) that show it, for reproduction.
        reproduce: a command or note that reproduces it.
        details: diagnostics (stderr tail, transcript).
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
    ) -> None:
        self.requirement: Requirement = requirement(req_id)
        self.expected = expected
        self.actual = actual
        self.sent = sent
        self.reproduce = reproduce
        self.details = details
        self.version = version
        super().__init__(self.render())

    @property
    def level(self) -> str:
        """MUST or SHOULD."""
        return self.requirement.level

    def render(self) -> str:
        """The failure message: what, where in the spec, what was sent, how to reproduce."""
        req = self.requirement
        lines = [
            f"[{req.id}] {req.level}: {req.text}",
            f"  expected: {self.expected}",
            f"  got:      {self.actual}",
            f"  spec:     {req.url(self.version)}",
        ]
        if self.sent:
            lines.append(f"  sent:     {self.sent}")
        if self.reproduce:
            lines.append(f"  reproduce: {self.reproduce}")
        if self.details:
            lines.append(self.details)
        return "\n".join(lines)


@dataclass(frozen=True)
class Finding:
    """One check's outcome against one server, as reports store it."""

    check: str
    requirement: str
    level: str
    outcome: Outcome
    target: str
    item: str = ""
    message: str = ""
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)
