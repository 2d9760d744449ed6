"""Grading the course exercises: rubrics as data, black-box probes, one engine behind the CLI and pytest."""

from __future__ import annotations

from mcptest._lazy import lazy_exports

_EXPORTS = {
    "GradeOptions": "mcptest.grading.engine",
    "GradeReport": "mcptest.grading.outcome",
    "ItemResult": "mcptest.grading.outcome",
    "Rubric": "mcptest.grading.rubric",
    "RubricItem": "mcptest.grading.rubric",
    "grade": "mcptest.grading.engine",
    "load_rubric": "mcptest.grading.rubric",
}
__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports("mcptest.grading", _EXPORTS)
