"""Seed files for throwaway databases: `.sql` scripts and `.yaml` table-to-rows mappings, parsed without a database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from mcptest.mocks.errors import MockConfigError

SQL_SUFFIXES = frozenset({".sql"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})

Row = Mapping[str, object]


@dataclass(frozen=True)
class SqlScript:
    """A SQL script run as-is (several statements allowed)."""

    source: Path
    text: str


@dataclass(frozen=True)
class TableRows:
    """Rows to insert into one table, in file order; values are bound as query parameters."""

    table: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class RowsSeed:
    """A YAML seed: tables filled in the order the file lists them."""

    source: Path
    tables: tuple[TableRows, ...]


Seed = SqlScript | RowsSeed


def resolve_seed_paths(spec: str | Path | Iterable[str | Path], base_dir: Path) -> list[Path]:
    """Turn a marker's ``seed=`` value into existing absolute paths.

    Args:
        spec: One path or a list of paths; relative paths are taken from ``base_dir``.
        base_dir: Directory relative paths are resolved against (the test file's folder).

    Raises:
        MockConfigError: A file does not exist or has a suffix other than .sql/.yaml/.yml.
    """
    items = [spec] if isinstance(spec, str | Path) else list(spec)
    paths: list[Path] = []
    for item in items:
        if not isinstance(item, str | Path):
            raise MockConfigError(f"mcp_db(seed=...) takes a path or a list of paths, got {item!r}")
        path = Path(item) if Path(item).is_absolute() else base_dir / item
        if not path.is_file():
            raise MockConfigError(f"mcp_db seed file {item!s} not found (looked at {path}); paths are relative "
                                  f"to the test file's folder")
        if path.suffix.lower() not in SQL_SUFFIXES | YAML_SUFFIXES:
            raise MockConfigError(f"mcp_db seed file {path} must end in .sql, .yaml or .yml")
        paths.append(path.resolve())
    return paths


def load_seed(path: Path) -> Seed:
    """Read one seed file.

    Args:
        path: A ``.sql`` script, or a ``.yaml``/``.yml`` file shaped ``{table: [{column: value, ...}, ...]}``.

    Raises:
        MockConfigError: The YAML is malformed or not shaped as tables of rows.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in SQL_SUFFIXES:
        return SqlScript(source=path, text=text)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MockConfigError(f"mcp_db seed file {path} is not valid YAML: {exc}") from exc
    return RowsSeed(source=path, tables=_parse_tables(path, document))


def _parse_tables(path: Path, document: object) -> tuple[TableRows, ...]:
    if document is None:
        return ()
    shape_hint = "expected {table: [{column: value, ...}, ...]}"
    if not isinstance(document, dict):
        raise MockConfigError(f"mcp_db seed file {path}: {shape_hint}, got a {type(document).__name__} at the top")
    tables: list[TableRows] = []
    for table, rows in document.items():
        if not isinstance(table, str) or not table:
            raise MockConfigError(f"mcp_db seed file {path}: table names must be non-empty strings, got {table!r}")
        rows = rows or []
        if not isinstance(rows, list):
            raise MockConfigError(f"mcp_db seed file {path}: table {table!r} must map to a list of rows "
                                  f"({shape_hint}), got a {type(rows).__name__}")
        for index, row in enumerate(rows):
            if not isinstance(row, dict) or not row or not all(isinstance(key, str) for key in row):
                raise MockConfigError(f"mcp_db seed file {path}: row {index} of table {table!r} must be a non-empty "
                                      f"mapping of column name to value, got {row!r}")
        tables.append(TableRows(table=table, rows=tuple(rows)))
    return tuple(tables)
