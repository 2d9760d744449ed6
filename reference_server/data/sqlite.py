"""Embedded SQLite backend (aiosqlite): one connection, units of work serialised, policy enforced by the engine."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, cast

import aiosqlite
import anyio

from reference_server.clock import Clock, SystemClock, utc_iso
from reference_server.data import sqlguard
from reference_server.data.base import (
    Column,
    QueryResult,
    Statement,
    StepCallback,
    UserRow,
    check_param_values,
    email_taken,
    json_value,
    not_connected,
)
from reference_server.data.statements import SQLITE, SQLITE_COLUMNS
from reference_server.errors import DatabaseError, InvalidInput, QueryRejected, ReferenceServerError

_READ_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
_WRITE_ACTIONS = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})
_BLOCKED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit"})
_PROGRESS_STEPS = 1000


def sqlite_path(url: str) -> str:
    """Turn ``sqlite:///relative.db``, ``sqlite:////abs.db`` or ``sqlite:///:memory:`` into a path for sqlite3."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise InvalidInput(f"not a SQLite URL: {url!r}; use sqlite:///PATH or sqlite:///:memory:")
    return url[len(prefix) :] or ":memory:"


def _authorizer(allow_writes: bool) -> Callable[[int, str | None, str | None, str | None, str | None], int]:
    allowed = _READ_ACTIONS | (_WRITE_ACTIONS if allow_writes else frozenset())

    def decide(action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None) -> int:
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _BLOCKED_FUNCTIONS:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY

    return decide


def _user(row: Sequence[Any]) -> UserRow:
    return UserRow(id=int(row[0]), name=str(row[1]), email=str(row[2]), created_at=str(row[3]), updated_at=str(row[4]))


class SQLiteDatabase:
    """SQLite through aiosqlite. A lock makes each statement or transaction a unit, so concurrent callers never
    interleave inside another caller's transaction."""

    dialect: Literal["sqlite"] = "sqlite"

    def __init__(self, url: str = "sqlite:///:memory:", *, clock: Clock | None = None) -> None:
        self.path = sqlite_path(url)
        self._clock = clock or SystemClock()
        self._conn: aiosqlite.Connection | None = None
        self._lock = anyio.Lock()

    async def connect(self) -> None:
        """Open the database file (creating folders), enable WAL and apply migrations."""
        if self._conn is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ):
                await conn.execute(pragma)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open SQLite database {self.path!r}: {exc}") from exc
        self._conn = conn
        await self._migrate()

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise not_connected()
        return self._conn

    async def _migrate(self) -> None:
        async with self._unit(transaction=True) as conn:
            await conn.execute(SQLITE.migration_table)
            applied = {row[0] for row in await conn.execute_fetchall(SQLITE.applied_versions)}
            for version, ddl in SQLITE.migrations:
                if version not in applied:
                    for statement in ddl:
                        await conn.execute(statement)
                    await conn.execute(SQLITE.record_version, (version, utc_iso(self._clock)))

    @asynccontextmanager
    async def _unit(self, *, transaction: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the connection for one unit of work; roll back (even when cancelled) if it fails."""
        async with self._lock:
            conn = self.conn
            if not transaction:
                yield conn
                return
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await conn.rollback()
                raise
            with anyio.CancelScope(shield=True):
                await conn.commit()

    async def ping(self) -> None:
        """Run ``SELECT 1``."""
        try:
            async with self._unit() as conn:
                await conn.execute_fetchall(SQLITE.ping)
        except sqlite3.Error as exc:
            raise DatabaseError(f"SQLite did not answer: {exc}") from exc

    async def insert_user(self, name: str, email: str, now: str) -> UserRow:
        """Insert a user, mapping the UNIQUE(email) violation to ``Conflict``."""
        try:
            async with self._unit() as conn:
                rows = await conn.execute_fetchall(SQLITE.insert_user, (name, email, now, now))
        except sqlite3.IntegrityError as exc:
            raise email_taken(email) from exc
        return _user(next(iter(rows)))

    async def get_user(self, user_id: int) -> UserRow | None:
        """Fetch one user."""
        async with self._unit() as conn:
            rows = list(await conn.execute_fetchall(SQLITE.get_user, (user_id,)))
        return _user(rows[0]) if rows else None

    async def update_user(self, user_id: int, name: str | None, email: str | None, now: str) -> UserRow | None:
        """Update the given fields of one user."""
        try:
            async with self._unit() as conn:
                rows = list(await conn.execute_fetchall(SQLITE.update_user, (name, email, now, user_id)))
        except sqlite3.IntegrityError as exc:
            raise email_taken(email) from exc
        return _user(rows[0]) if rows else None

    async def list_users(self, after_id: int, limit: int) -> list[UserRow]:
        """One keyset page of users."""
        async with self._unit() as conn:
            return [_user(row) for row in await conn.execute_fetchall(SQLITE.list_users, (after_id, limit))]

    async def count_users(self) -> int:
        """Number of users."""
        async with self._unit() as conn:
            rows = list(await conn.execute_fetchall(SQLITE.count_users))
        return int(rows[0][0])

    async def table_names(self) -> list[str]:
        """Tables, sorted by name."""
        async with self._unit() as conn:
            return [str(row[0]) for row in await conn.execute_fetchall(SQLITE.table_names)]

    async def table_columns(self, table: str) -> list[Column]:
        """Columns via ``pragma_table_info(?)`` (the table name is a bound parameter)."""
        async with self._unit() as conn:
            rows = await conn.execute_fetchall(SQLITE_COLUMNS, (table,))
        return [
            Column(name=r[0], type=r[1] or "", nullable=not r[2], default=r[3], primary_key=bool(r[4])) for r in rows
        ]

    async def run_statement(
        self, statement: Statement, *, allow_writes: bool, row_limit: int, timeout_ms: int
    ) -> QueryResult:
        """Run one user statement under the policy (authorizer + timeout + row limit)."""
        sqlguard.check_statement(statement.sql, allow_writes=allow_writes)
        check_param_values(statement.params)
        async with self._unit(transaction=allow_writes) as conn:
            return await self._run_user(conn, statement, allow_writes, row_limit, timeout_ms)

    async def run_batch(
        self,
        statements: Sequence[Statement],
        *,
        allow_writes: bool,
        row_limit: int,
        timeout_ms: int,
        on_step: StepCallback | None = None,
    ) -> list[QueryResult]:
        """Run all statements in one IMMEDIATE transaction; any failure rolls every one back."""
        sqlguard.check_batch(statements, allow_writes=allow_writes)
        results: list[QueryResult] = []
        async with self._unit(transaction=True) as conn:
            for index, statement in enumerate(statements):
                try:
                    results.append(await self._run_user(conn, statement, allow_writes, row_limit, timeout_ms))
                except (DatabaseError, QueryRejected) as exc:
                    raise type(exc)(f"operation {index} failed, the whole batch was rolled back: {exc}") from exc
                if on_step is not None:
                    await on_step(index + 1, len(statements))
        return results

    async def _run_user(
        self, conn: aiosqlite.Connection, statement: Statement, allow_writes: bool, row_limit: int, timeout_ms: int
    ) -> QueryResult:
        deadline = self._clock.monotonic() + timeout_ms / 1000
        try:
            # Inside the try: a cancellation while these are queued must still reach the reset below.
            await conn.set_authorizer(_authorizer(allow_writes))
            await conn.set_progress_handler(lambda: 1 if self._clock.monotonic() > deadline else 0, _PROGRESS_STEPS)
            params: Any = dict(statement.params) if isinstance(statement.params, dict) else tuple(statement.params)
            cursor = await conn.execute(statement.sql, params)
            if cursor.description is None:
                return QueryResult(kind="command", columns=(), rows=(), row_count=max(cursor.rowcount, 0))
            columns = tuple(d[0] for d in cursor.description)
            fetched = list(await cursor.fetchmany(row_limit + 1))
            await cursor.close()
        except sqlite3.DatabaseError as exc:
            raise _map_error(exc, timeout_ms) from exc
        except (sqlite3.ProgrammingError, ValueError, OverflowError) as exc:
            raise DatabaseError(f"statement could not run: {exc}") from exc
        finally:
            with anyio.CancelScope(shield=True):
                await conn.set_authorizer(None)
                await conn.set_progress_handler(cast(Any, None), _PROGRESS_STEPS)  # None removes the handler
        rows = tuple({c: json_value(v) for c, v in zip(columns, row, strict=True)} for row in fetched[:row_limit])
        return QueryResult(
            kind="rows", columns=columns, rows=rows, row_count=len(rows), truncated=len(fetched) > row_limit
        )


def _map_error(exc: sqlite3.DatabaseError, timeout_ms: int) -> ReferenceServerError:
    text = str(exc)
    if "interrupted" in text:
        return DatabaseError(f"statement exceeded the {timeout_ms} ms timeout and was stopped; narrow the query")
    if "not authorized" in text or "prohibited" in text:
        return QueryRejected(f"statement refused by the server policy ({text}); only DML on existing tables is allowed")
    return DatabaseError(f"SQLite error: {text}")
