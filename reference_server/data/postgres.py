"""PostgreSQL backend over an asyncpg connection pool; read-only transactions and statement_timeout per call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import anyio
import asyncpg

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
from reference_server.data.statements import POSTGRES, POSTGRES_COLUMNS
from reference_server.errors import DatabaseError, InvalidInput, QueryRejected

_SET_TIMEOUT = "SELECT set_config('statement_timeout', $1, true)"
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(727274)"


def _user(row: Mapping[str, Any]) -> UserRow:
    return UserRow(
        id=int(row["id"]),
        name=row["name"],
        email=row["email"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _positional(params: Any) -> tuple[Any, ...]:
    if isinstance(params, Mapping):
        raise InvalidInput("PostgreSQL takes positional parameters: write $1, $2, ... and pass params as a list")
    return tuple(params)


class PostgresDatabase:
    """PostgreSQL through an asyncpg pool of ``pool_min``..``pool_max`` connections."""

    dialect: Literal["postgresql"] = "postgresql"

    def __init__(self, url: str, *, pool_min: int = 1, pool_max: int = 10, clock: Clock | None = None) -> None:
        self._url = url
        self._pool_min = pool_min
        self._pool_max = pool_max
        self._clock = clock or SystemClock()
        self._pool: asyncpg.Pool | None = None

    async def connect(self) -> None:
        """Create the pool and apply migrations under an advisory lock (safe with several replicas)."""
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(self._url, min_size=self._pool_min, max_size=self._pool_max)
        except (OSError, asyncpg.PostgresError) as exc:
            raise DatabaseError(f"cannot connect to PostgreSQL: {exc}; check DATABASE_URL") from exc
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(_MIGRATION_LOCK)
            await conn.execute(POSTGRES.migration_table)
            applied = {row[0] for row in await conn.fetch(POSTGRES.applied_versions)}
            for version, ddl in POSTGRES.migrations:
                if version not in applied:
                    for statement in ddl:
                        await conn.execute(statement)
                    await conn.execute(POSTGRES.record_version, version, utc_iso(self._clock))

    async def close(self) -> None:
        """Close the pool (idempotent)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise not_connected()
        return self._pool

    async def ping(self) -> None:
        """Run ``SELECT 1`` on a pooled connection."""
        try:
            await self.pool.fetchval(POSTGRES.ping)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseError(f"PostgreSQL did not answer: {exc}") from exc

    async def insert_user(self, name: str, email: str, now: str) -> UserRow:
        """Insert a user; a unique violation on email becomes ``Conflict``."""
        try:
            row = await self.pool.fetchrow(POSTGRES.insert_user, name, email, now, now)
        except asyncpg.UniqueViolationError as exc:
            raise email_taken(email) from exc
        return _user(row)

    async def get_user(self, user_id: int) -> UserRow | None:
        """Fetch one user."""
        row = await self.pool.fetchrow(POSTGRES.get_user, user_id)
        return _user(row) if row else None

    async def update_user(self, user_id: int, name: str | None, email: str | None, now: str) -> UserRow | None:
        """Update the given fields of one user."""
        try:
            row = await self.pool.fetchrow(POSTGRES.update_user, name, email, now, user_id)
        except asyncpg.UniqueViolationError as exc:
            raise email_taken(email) from exc
        return _user(row) if row else None

    async def list_users(self, after_id: int, limit: int) -> list[UserRow]:
        """One keyset page of users."""
        return [_user(row) for row in await self.pool.fetch(POSTGRES.list_users, after_id, limit)]

    async def count_users(self) -> int:
        """Number of users."""
        return int(await self.pool.fetchval(POSTGRES.count_users))

    async def table_names(self) -> list[str]:
        """Tables of the current schema."""
        return [row[0] for row in await self.pool.fetch(POSTGRES.table_names)]

    async def table_columns(self, table: str) -> list[Column]:
        """Columns from information_schema (the table name is a bound parameter)."""
        rows = await self.pool.fetch(POSTGRES_COLUMNS, table)
        return [
            Column(name=r[0], type=r[1], nullable=r[2] == "YES", default=r[3], primary_key=bool(r[4])) for r in rows
        ]

    async def run_statement(
        self, statement: Statement, *, allow_writes: bool, row_limit: int, timeout_ms: int
    ) -> QueryResult:
        """Run one user statement in its own (read-only unless writes are allowed) transaction."""
        sqlguard.check_statement(statement.sql, allow_writes=allow_writes)
        check_param_values(statement.params)
        async with self.pool.acquire() as conn, conn.transaction(readonly=not allow_writes):
            return await _run_user(conn, statement, row_limit, timeout_ms)

    async def run_batch(
        self,
        statements: Sequence[Statement],
        *,
        allow_writes: bool,
        row_limit: int,
        timeout_ms: int,
        on_step: StepCallback | None = None,
    ) -> list[QueryResult]:
        """Run all statements in one transaction; the first failure rolls back everything."""
        sqlguard.check_batch(statements, allow_writes=allow_writes)
        results: list[QueryResult] = []
        async with self.pool.acquire() as conn:
            transaction = conn.transaction(readonly=not allow_writes)
            await transaction.start()
            try:
                for index, statement in enumerate(statements):
                    try:
                        results.append(await _run_user(conn, statement, row_limit, timeout_ms))
                    except (DatabaseError, InvalidInput) as exc:
                        raise type(exc)(f"operation {index} failed, the whole batch was rolled back: {exc}") from exc
                    if on_step is not None:
                        await on_step(index + 1, len(statements))
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await transaction.rollback()
                raise
            with anyio.CancelScope(shield=True):
                await transaction.commit()
        return results


async def _run_user(conn: asyncpg.Connection, statement: Statement, row_limit: int, timeout_ms: int) -> QueryResult:
    """Prepare (which refuses several commands) and run one statement inside the caller's transaction."""
    params = _positional(statement.params)
    try:
        await conn.execute(_SET_TIMEOUT, str(timeout_ms))
        async with conn.transaction():  # savepoint: a failure leaves the outer transaction usable for rollback
            prepared = await conn.prepare(statement.sql)
            columns = tuple(attr.name for attr in prepared.get_attributes())
            if not columns:
                await prepared.fetch(*params)
                status = prepared.get_statusmsg() or ""
                count = int(status.rsplit(" ", 1)[-1]) if status.rsplit(" ", 1)[-1].isdigit() else 0
                return QueryResult(kind="command", columns=(), rows=(), row_count=count)
            cursor = await prepared.cursor(*params)
            fetched = await cursor.fetch(row_limit + 1)
    except asyncpg.QueryCanceledError as exc:
        raise DatabaseError(
            f"statement exceeded the {timeout_ms} ms timeout and was stopped; narrow the query"
        ) from exc
    except asyncpg.ReadOnlySQLTransactionError as exc:
        raise QueryRejected("this server is read-only; set database.allow_writes: true to allow writes") from exc
    except asyncpg.InsufficientPrivilegeError as exc:
        raise QueryRejected(f"statement refused by the database: {exc}") from exc
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseError(f"PostgreSQL error: {exc}") from exc
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput(f"parameters do not match the statement: {exc}") from exc
    rows = tuple({c: json_value(row[i]) for i, c in enumerate(columns)} for row in fetched[:row_limit])
    return QueryResult(kind="rows", columns=columns, rows=rows, row_count=len(rows), truncated=len(fetched) > row_limit)
