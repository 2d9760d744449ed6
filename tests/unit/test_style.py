"""The house rules a reviewer would otherwise check by eye: lines of at most 120 characters, a one-line docstring
opening every module of the product."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

MAX_LINE = 120
PYTHON_TREES = ("mcptest", "reference_server", "tests", "fixtures", "benchmarks", "examples")
PRODUCT_TREES = ("mcptest", "reference_server")


def _sources(trees: tuple[str, ...]) -> list[Path]:
    return sorted(p for tree in trees for p in (ROOT / tree).rglob("*.py") if ".venv" not in p.parts)


def test_no_line_is_longer_than_120_characters() -> None:
    long = [f"{path.relative_to(ROOT)}:{number}: {len(line)} characters"
            for path in _sources(PYTHON_TREES)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if len(line) > MAX_LINE]
    assert not long, "lines over 120 characters (wrap them):\n" + "\n".join(long)


def test_every_product_module_opens_with_a_docstring() -> None:
    missing = [str(path.relative_to(ROOT)) for path in _sources(PRODUCT_TREES)
               if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None]
    assert not missing, "modules without a docstring:\n" + "\n".join(missing)
