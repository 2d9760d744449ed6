"""Rubrics as data: ``rubrics/exercise-N.yaml`` loaded and validated into frozen Rubric / RubricItem objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

RUBRIC_DIR = Path(__file__).parent / "rubrics"
ITEM_KEYS = {"id", "points", "requirement", "probe", "with", "feedback"}
RUBRIC_KEYS = {"exercise", "title", "pass_mark", "subject", "items"}
Subject = Literal["server", "project"]


class RubricError(ValueError):
    """A rubric file is malformed; the message names the file, the item and the key."""


@dataclass(frozen=True)
class RubricItem:
    """One requirement of an exercise and the black-box probe that decides it.

    Attributes:
        id: stable slug (``retry-to-success``), the pytest item name.
        points: what a pass earns.
        requirement: the exercise's requirement, in the learner's words.
        probe: the registered probe that decides it (``mcptest.grading.probes``).
        params: keyword arguments for the probe (the YAML ``with:`` mapping).
        feedback: what to change when it is missed.
    """

    id: str
    points: int
    requirement: str
    probe: str
    feedback: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rubric:
    """An exercise's items, in grading order, with its pass mark (a percentage of the total points)."""

    exercise: str
    title: str
    pass_mark: float
    subject: Subject
    items: tuple[RubricItem, ...]
    source: Path

    @property
    def total(self) -> int:
        """Points available."""
        return sum(item.points for item in self.items)

    def item(self, item_id: str) -> RubricItem:
        """The item with this id."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"{self.exercise} has no item {item_id!r}; items: {', '.join(i.id for i in self.items)}")


def available() -> list[str]:
    """Names of the packaged rubrics (``exercise-1``, ...)."""
    return sorted(path.stem for path in RUBRIC_DIR.glob("*.yaml"))


def load_rubric(name_or_path: str | Path) -> Rubric:
    """Load a packaged rubric by name (``exercise-1``) or any rubric file by path.

    Raises:
        RubricError: unknown name, or a file that is not a valid rubric (every problem is named).
    """
    path = Path(name_or_path)
    if not path.suffix:
        path = RUBRIC_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            raise RubricError(f"no rubric named {str(name_or_path)!r}; choose one of: {', '.join(available())}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RubricError(f"cannot read rubric {path}: {exc}") from None
    return _build(data, path)


def _build(data: Any, path: Path) -> Rubric:
    from mcptest.grading.probes import PROBES

    problems: list[str] = []
    if not isinstance(data, dict):
        raise RubricError(f"rubric {path}: the top level must be a mapping with {sorted(RUBRIC_KEYS)}")
    problems += [f"unknown key {key!r}" for key in data if key not in RUBRIC_KEYS]
    pass_mark = data.get("pass_mark")
    if not isinstance(pass_mark, int | float) or not 0 < pass_mark <= 100:
        problems.append(f"pass_mark must be a percentage in (0, 100], got {pass_mark!r}")
    subject = data.get("subject")
    if subject not in ("server", "project"):
        problems.append(f"subject must be 'server' or 'project', got {subject!r}")
    items: list[RubricItem] = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("items") or []):
        item = _item(raw, index, PROBES, problems)
        if item is None:
            continue
        if item.id in seen:
            problems.append(f"item {item.id!r} appears twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        problems.append("items: list at least one item")
    for key in ("exercise", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"{key} must be a non-empty string")
    if problems:
        raise RubricError(f"rubric {path} is invalid:\n  - " + "\n  - ".join(problems))
    return Rubric(data["exercise"], data["title"], float(pass_mark), subject, tuple(items), path)


def _item(raw: Any, index: int, probes: Mapping[str, Any], problems: list[str]) -> RubricItem | None:
    where = f"items[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a mapping with {sorted(ITEM_KEYS)}")
        return None
    where = f"item {raw.get('id', index)!r}"
    problems.extend(f"{where}: unknown key {key!r}" for key in raw if key not in ITEM_KEYS)
    if not isinstance(raw.get("id"), str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", raw["id"]):
        problems.append(f"{where}: id must be a lower-case slug such as 'retry-to-success'")
    if not isinstance(raw.get("points"), int) or isinstance(raw.get("points"), bool) or raw["points"] < 1:
        problems.append(f"{where}: points must be a positive whole number")
    for key in ("requirement", "feedback", "probe"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(f"{where}: {key} must be a non-empty string")
    if isinstance(raw.get("probe"), str) and raw["probe"] not in probes:
        problems.append(f"{where}: unknown probe {raw['probe']!r}; known: {', '.join(sorted(probes))}")
    params = raw.get("with") or {}
    if not isinstance(params, dict):
        problems.append(f"{where}: with must be a mapping of probe arguments")
    if len(problems) and any(p.startswith(where) for p in problems):
        return None
    return RubricItem(raw["id"], raw["points"], " ".join(raw["requirement"].split()), raw["probe"],
                      " ".join(raw["feedback"].split()), dict(params))
