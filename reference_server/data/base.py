"""The data-layer contract shared by the SQLite and PostgreSQL backends, plus JSON-safe value conversion."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from reference_server.errors import Conflict, DatabaseError, InvalidInput

JsonScalar = str | int | float | bool | None
Params = Sequence[JsonScalar] | Mapping[str, JsonScalar]
StepCallback = Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True)
class Statement:
    """One parameterised SQL statement."""

    sql: str
    params: Params = ()


@dataclass(frozen=True)
class QueryResult:
    """The outcome of one statement: rows for reads, an affected-row count for writes."""

    kind: Literal["rows", "command"]
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    row_count: int
    truncated: bool = False


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    type: str
    nullable: bool
    default: str | None
    primary_key: bool


@dataclass(frozen=True)
class UserRow:
    """A stored user."""

    id: int
    name: str
    email: str
    created_at: str
    updated_at: str


class Database(Protocol):
    """What the domain layer needs from a database backend. Every method is safe to call concurrently."""

    @property
    def dialect(self) -> Literal["sqlite", "postgresql"]:
        """Which SQL dialect (and placeholder style) the backend speaks."""
        ...

    async def connect(self) -> None:
        """Open connections and apply schema migrations (idempotent)."""
        ...

    async def close(self) -> None:
        """Release every connection."""
        ...

    async def ping(self) -> None:
        """Run a trivial query; raises ``DatabaseError`` when the database does not answer."""
        ...

    async def insert_user(self, name: str, email: str, now: str) -> UserRow:
        """Insert a user; raises ``Conflict`` when the email is taken."""
        ...

    async def get_user(self, user_id: int) -> UserRow | None:
        """Fetch one user by id."""
        ...

    async def update_user(self, user_id: int, name: str | None, email: str | None, now: str) -> UserRow | None:
        """Change the given fields; returns None when the user does not exist."""
        ...

    async def list_users(self, after_id: int, limit: int) -> list[UserRow]:
        """Users with ``id > after_id`` in id order (keyset pagination)."""
        ...

    async def count_users(self) -> int:
        """Number of stored users."""
        ...

    async def run_statement(
        self, statement: Statement, *, allow_writes: bool, row_limit: int, timeout_ms: int
    ) -> QueryResult:
        """Run one policy-checked statement with its parameters bound, never interpolated."""
        ...

    async def run_batch(
        self,
        statements: Sequence[Statement],
        *,
        allow_writes: bool,
        row_limit: int,
        timeout_ms: int,
        on_step: StepCallback | None = None,
    ) -> list[QueryResult]:
        """Run statements in one transaction: all succeed and commit, or everything rolls back."""
        ...

    async def table_names(self) -> list[str]:
        """User-visible table names, sorted."""
        ...

    async def table_columns(self, table: str) -> list[Column]:
        """Columns of ``table`` in declaration order (empty when the table does not exist)."""
        ...


def json_value(value: Any) -> Any:
    """Convert a database value into something JSON can carry without losing meaning."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, dt.timedelta)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def check_param_values(params: Params) -> None:
    """Reject parameter values that are not JSON scalars (they cannot be bound portably)."""
    values = params.values() if isinstance(params, Mapping) else params
    for value in values:
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise InvalidInput(f"query parameters must be strings, numbers, booleans or null; got {value!r}")


def email_taken(email: str | None) -> Conflict:
    """The error for a UNIQUE(email) violation, the same on every backend."""
    return Conflict(f"a user with email {email!r} already exists; use update_user or choose another email")


def not_connected() -> DatabaseError:
    """The error for using a backend before ``connect()``."""
    return DatabaseError("the database is not connected; the server must be started before use")
