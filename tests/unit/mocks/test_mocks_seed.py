"""Seed files are validated before touching a database, with errors that say how to fix them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcptest.mocks import MockConfigError
from mcptest.mocks.seed import RowsSeed, SqlScript, load_seed, resolve_seed_paths


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_keeps_table_order_and_rows(tmp_path: Path) -> None:
    seed = load_seed(_write(tmp_path, "s.yml", "b: [{x: 1}]\na:\n  - {y: null}\nempty:\n"))
    assert isinstance(seed, RowsSeed)
    assert [(t.table, t.rows) for t in seed.tables] == [("b", ({"x": 1},)), ("a", ({"y": None},)), ("empty", ())]


def test_sql_is_kept_verbatim(tmp_path: Path) -> None:
    seed = load_seed(_write(tmp_path, "s.sql", "CREATE TABLE t (x int);"))
    assert seed == SqlScript(source=tmp_path / "s.sql", text="CREATE TABLE t (x int);")


@pytest.mark.parametrize(("text", "expected"), [
    ("- just\n- a list\n", r"expected \{table: \[\{column: value"),
    ("users: 3\n", r"table 'users' must map to a list of rows"),
    ("users: [1, 2]\n", r"row 0 of table 'users' must be a non-empty mapping"),
    ("users:\n  - {}\n", r"row 0 of table 'users'"),
    ("users: [a: 1\n", r"is not valid YAML"),
])
def test_badly_shaped_yaml_is_explained(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(MockConfigError, match=expected):
        load_seed(_write(tmp_path, "bad.yaml", text))


def test_relative_seed_paths_come_from_the_test_folder(tmp_path: Path) -> None:
    _write(tmp_path, "a.sql", "")
    _write(tmp_path, "b.yaml", "")
    assert resolve_seed_paths(["a.sql", "b.yaml"], tmp_path) == [tmp_path / "a.sql", tmp_path / "b.yaml"]
    assert resolve_seed_paths("a.sql", tmp_path) == [tmp_path / "a.sql"]


def test_missing_or_unknown_seed_files_are_explained(tmp_path: Path) -> None:
    with pytest.raises(MockConfigError, match=r"missing\.sql not found .*relative to the test file's folder"):
        resolve_seed_paths("missing.sql", tmp_path)
    _write(tmp_path, "rows.json", "{}")
    with pytest.raises(MockConfigError, match=r"must end in \.sql, \.yaml or \.yml"):
        resolve_seed_paths("rows.json", tmp_path)
    with pytest.raises(MockConfigError, match="takes a path or a list of paths"):
        resolve_seed_paths([3], tmp_path)  # type: ignore[list-item]
