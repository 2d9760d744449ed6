"""Database operations offered as tools: one parameterised statement, an atomic batch, a table's schema."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reference_server.config import DatabaseConfig
from reference_server.data.base import Column, Database, Params, QueryResult, Statement, StepCallback
from reference_server.errors import InvalidInput, NotFound

IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
MAX_BATCH = 100


@dataclass(frozen=True)
class TableSchema:
    """The columns of one table."""

    table: str
    columns: list[Column]


class QueryService:
    """Runs user SQL under the configured policy (read-only unless allowed, row limit, statement timeout)."""

    def __init__(self, db: Database, config: DatabaseConfig) -> None:
        self._db = db
        self._config = config

    @property
    def allow_writes(self) -> bool:
        """Whether INSERT/UPDATE/DELETE are permitted."""
        return self._config.allow_writes

    async def execute(self, query: str, params: Params | None = None) -> QueryResult:
        """Run exactly one statement with bound parameters."""
        return await self._db.run_statement(
            Statement(query, params or ()),
            allow_writes=self._config.allow_writes,
            row_limit=self._config.row_limit,
            timeout_ms=self._config.statement_timeout_ms,
        )

    async def batch(self, statements: Sequence[Statement], on_step: StepCallback | None = None) -> list[QueryResult]:
        """Run up to 100 statements in one transaction: all or nothing."""
        if not statements:
            raise InvalidInput("operations is empty; pass at least one {query, params} object")
        if len(statements) > MAX_BATCH:
            raise InvalidInput(f"{len(statements)} operations; a batch holds at most {MAX_BATCH}")
        return await self._db.run_batch(
            statements,
            allow_writes=self._config.allow_writes,
            row_limit=self._config.row_limit,
            timeout_ms=self._config.statement_timeout_ms,
            on_step=on_step,
        )

    async def table_schema(self, table: str) -> TableSchema:
        """Columns of an existing table; ``NotFound`` lists the tables that do exist."""
        if not IDENTIFIER_RE.match(table):
            raise InvalidInput(f"table must be a plain identifier (letters, digits, _), got {table!r}")
        columns = await self._db.table_columns(table)
        if not columns:
            tables = ", ".join(await self._db.table_names()) or "none"
            raise NotFound(f"no table named {table!r}; existing tables: {tables}")
        return TableSchema(table, columns)
