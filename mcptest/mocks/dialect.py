"""What differs between database backends for throwaway databases, and the SQLite implementation of it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby
from typing import Any, Protocol

from mcptest.mocks.errors import MockConfigError

Row = Mapping[str, object]


class Dialect(Protocol):
    """Backend-specific operations, given an open DB-API connection in autocommit mode."""

    backend: str
    placeholder: str

    def run_script(self, connection: Any, script: str) -> None:
        """Run several SQL statements in one transaction."""
        ...

    def insert_rows(self, connection: Any, table: str, rows: Sequence[Row]) -> None:
        """Insert rows into ``table`` with bound parameters, in one transaction."""
        ...

    def count_rows(self, connection: Any, table: str) -> int:
        """Return ``SELECT count(*)`` of ``table``."""
        ...


def split_table_name(table: str) -> list[str]:
    """Split ``schema.table`` into its identifier parts, rejecting empty parts and NUL characters."""
    parts = table.split(".")
    if any(not part or "\x00" in part for part in parts):
        raise MockConfigError(f"invalid table name {table!r}: expected `table` or `schema.table`")
    return parts


def _column_names(row: Row) -> tuple[str, ...]:
    return tuple(row)


def batches_by_columns(rows: Sequence[Row]) -> Iterator[tuple[tuple[str, ...], list[tuple[object, ...]]]]:
    """Group consecutive rows that share the same columns, so each group is one ``executemany``."""
    for columns, group in groupby(rows, key=_column_names):
        yield columns, [tuple(row[column] for column in columns) for row in group]


def quote_sqlite_identifier(name: str) -> str:
    """Quote one SQLite identifier (doubling embedded quotes), the only safe way to put a name in SQL text."""
    return '"' + name.replace('"', '""') + '"'


def _sqlite_value(value: object) -> object:
    return json.dumps(value) if isinstance(value, dict | list) else value


class SqliteDialect:
    """SQLite through the standard library's ``sqlite3`` (``?`` placeholders)."""

    backend = "sqlite"
    placeholder = "?"

    @staticmethod
    def connect(path: str) -> sqlite3.Connection:
        """Open ``path`` in autocommit mode (``isolation_level=None``) with foreign keys enforced."""
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    def run_script(self, connection: sqlite3.Connection, script: str) -> None:
        """Run ``script`` inside BEGIN/COMMIT, rolling back if any statement fails."""
        try:
            connection.executescript(f"BEGIN;\n{script}\n;COMMIT;")
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def insert_rows(self, connection: sqlite3.Connection, table: str, rows: Sequence[Row]) -> None:
        """Insert ``rows`` with ``?`` parameters; dict/list values are stored as JSON text."""
        target = ".".join(quote_sqlite_identifier(part) for part in split_table_name(table))
        connection.execute("BEGIN")
        try:
            for columns, values in batches_by_columns(rows):
                names = ", ".join(quote_sqlite_identifier(column) for column in columns)
                marks = ", ".join("?" for _ in columns)
                statement = f"INSERT INTO {target} ({names}) VALUES ({marks})"  # identifiers quoted above
                connection.executemany(statement, [tuple(map(_sqlite_value, row)) for row in values])
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def count_rows(self, connection: sqlite3.Connection, table: str) -> int:
        """Count the rows of ``table``."""
        target = ".".join(quote_sqlite_identifier(part) for part in split_table_name(table))
        return int(connection.execute(f"SELECT count(*) FROM {target}").fetchone()[0])
