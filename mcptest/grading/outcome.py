"""What grading produces: a probe's Miss or Skip, one ItemResult per rubric item, and the GradeReport."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from mcptest.grading.rubric import Rubric, RubricItem

Status = Literal["pass", "miss", "skip", "error"]


class Miss(Exception):
    """A probe observed that the submission does not meet the item's requirement.

    Attributes:
        evidence: one sentence: what was observed (what was sent, what came back).
        details: longer supporting text (stderr tail, lists), shown in JSON and pytest output.
    """

    def __init__(self, evidence: str, details: str = "") -> None:
        super().__init__(evidence)
        self.evidence = evidence
        self.details = details


class Skip(Exception):
    """The item cannot be decided here (a service such as PostgreSQL or Docker is missing); the reason says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ItemResult:
    """The verdict on one rubric item."""

    item: RubricItem
    status: Status
    evidence: str = ""
    details: str = ""
    seconds: float = 0.0

    @property
    def points(self) -> int:
        """Points earned: all of the item's points on a pass, none otherwise."""
        return self.item.points if self.status == "pass" else 0

    @property
    def feedback(self) -> str:
        """One line for the learner: what was observed, then what to change (empty on a pass)."""
        if self.status == "pass":
            return ""
        if self.status == "skip":
            return f"not graded here: {self.evidence}"
        if self.status == "error":
            return f"grading error (a bug in mcptest, not in your submission): {self.evidence}"
        return f"{self.evidence.rstrip('.')}. {self.item.feedback}"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON report."""
        return {"id": self.item.id, "points": self.points, "max_points": self.item.points, "status": self.status,
                "requirement": self.item.requirement, "evidence": self.evidence, "feedback": self.feedback,
                "details": self.details, "seconds": round(self.seconds, 3)}


@dataclass
class GradeReport:
    """Every item's result for one submission, the score and whether it reaches the pass mark."""

    rubric: Rubric
    target: str
    project: str | None = None
    results: list[ItemResult] = field(default_factory=list)
    start_error: str | None = None
    seconds: float = 0.0
    selected: tuple[RubricItem, ...] | None = None  # the items graded, when not the whole rubric

    @property
    def score(self) -> int:
        """Points earned."""
        return sum(result.points for result in self.results)

    @property
    def total(self) -> int:
        """Points available (of the graded items)."""
        return sum(item.points for item in self.selected) if self.selected is not None else self.rubric.total

    @property
    def percent(self) -> float:
        """Score as a percentage of the total."""
        return 100.0 * self.score / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        """Whether the score reaches the rubric's pass mark."""
        return self.percent >= self.rubric.pass_mark

    @property
    def skipped_points(self) -> int:
        """Points of items that could not be graded on this machine."""
        return sum(r.item.points for r in self.results if r.status == "skip")

    @property
    def errors(self) -> list[ItemResult]:
        """Items where mcptest itself failed."""
        return [r for r in self.results if r.status == "error"]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"exercise": self.rubric.exercise, "title": self.rubric.title, "target": self.target,
                "project": self.project, "score": self.score, "total": self.total,
                "percent": round(self.percent, 1), "pass_mark": self.rubric.pass_mark, "passed": self.passed,
                "start_error": self.start_error, "seconds": round(self.seconds, 2),
                "items": [result.as_dict() for result in self.results]}
