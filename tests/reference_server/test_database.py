"""The data layer contract, run on a throwaway SQLite file and a throwaway PostgreSQL database (``mcp_db``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
import pytest

from mcptest.mocks.db import ThrowawayDatabase
from reference_server.data.base import Database, QueryResult, Statement
from reference_server.errors import Conflict, DatabaseError, InvalidInput, QueryRejected

pytestmark = pytest.mark.anyio
INSERT = {
    "sqlite": "INSERT INTO users (name, email, created_at, updated_at) VALUES (?, ?, ?, ?)",
    "postgresql": "INSERT INTO users (name, email, created_at, updated_at) VALUES ($1, $2, $3, $4)",
}
BY_NAME = {
    "sqlite": "SELECT id, name FROM users WHERE name = ?",
    "postgresql": "SELECT id, name FROM users WHERE name = $1",
}
SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


async def run(
    db: Database,
    sql: str,
    params: Sequence[Any] = (),
    *,
    writes: bool = False,
    limit: int = 100,
    timeout_ms: int = 2000,
) -> QueryResult:
    return await db.run_statement(
        Statement(sql, list(params)), allow_writes=writes, row_limit=limit, timeout_ms=timeout_ms
    )


async def test_user_repository(database: Database) -> None:
    ada = await database.insert_user("Ada", "ada@example.com", "2026-01-01T00:00:00+00:00")
    assert (await database.get_user(ada.id)) == ada
    with pytest.raises(Conflict, match="already exists"):
        await database.insert_user("Other", "ada@example.com", "t")
    changed = await database.update_user(ada.id, None, "ada@lovelace.org", "t2")
    assert changed is not None and changed.name == "Ada" and changed.email == "ada@lovelace.org"
    assert await database.update_user(9999, "x", None, "t") is None
    assert await database.get_user(9999) is None
    for n in range(3):
        await database.insert_user(f"U{n}", f"u{n}@example.com", "t")
    page = await database.list_users(ada.id, 2)
    assert [u.name for u in page] == ["U0", "U1"]
    assert await database.count_users() == 4


async def test_parameters_are_bound_never_interpolated(database: Database) -> None:
    await database.insert_user("Bob", "bob@example.com", "t")
    hostile = "Bob' OR '1'='1"
    result = await run(database, BY_NAME[database.dialect], [hostile])
    assert result.rows == ()
    result = await run(database, BY_NAME[database.dialect], ["Bob"])
    assert [row["name"] for row in result.rows] == ["Bob"]


async def test_read_only_is_enforced_by_the_engine(database: Database) -> None:
    with pytest.raises(QueryRejected, match="read-only"):
        await run(database, "DELETE FROM users")
    # A writable CTE starts with WITH, so only the engine can stop it.
    with pytest.raises((QueryRejected, DatabaseError)):
        await run(database, "WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) FROM gone")
    with pytest.raises(QueryRejected):
        await run(database, "DROP TABLE users", writes=True)


async def test_row_limit_and_timeout(database: Database) -> None:
    for n in range(5):
        await database.insert_user(f"R{n}", f"r{n}@example.com", "t")
    result = await run(database, "SELECT id FROM users ORDER BY id", limit=3)
    assert result.row_count == 3 and result.truncated is True
    with pytest.raises(DatabaseError, match="timeout"):
        await run(database, SLOW, timeout_ms=200)


async def test_batch_is_all_or_nothing(database: Database, each_db: ThrowawayDatabase) -> None:
    insert = INSERT[database.dialect]
    good = [Statement(insert, ["A", "a@x.io", "t", "t"]), Statement(insert, ["B", "b@x.io", "t", "t"])]
    results = await database.run_batch(good, allow_writes=True, row_limit=10, timeout_ms=2000)
    assert [r.row_count for r in results] == [1, 1]
    bad = [Statement(insert, ["C", "c@x.io", "t", "t"]), Statement(insert, ["D", "a@x.io", "t", "t"])]
    with pytest.raises(DatabaseError, match="operation 1 failed, the whole batch was rolled back"):
        await database.run_batch(bad, allow_writes=True, row_limit=10, timeout_ms=2000)
    assert each_db.count("users") == 2  # seen from another connection: nothing of the failed batch committed
    rejected = [Statement(insert, ["E", "e@x.io", "t", "t"]), Statement("DROP TABLE users")]
    with pytest.raises(QueryRejected, match=r"operation 1: .*nothing was executed"):
        await database.run_batch(rejected, allow_writes=True, row_limit=10, timeout_ms=2000)
    assert await database.count_users() == 2


async def test_cancelled_batch_rolls_back(database: Database, each_db: ThrowawayDatabase) -> None:
    insert = INSERT[database.dialect]
    steps: list[int] = []

    async def cancel_after_first(done: int, total: int) -> None:
        steps.append(done)
        if done == 1:
            scope.cancel()

    with anyio.CancelScope() as scope:
        await database.run_batch(
            [Statement(insert, ["A", "a@x.io", "t", "t"]), Statement(SLOW)],
            allow_writes=True,
            row_limit=10,
            timeout_ms=5000,
            on_step=cancel_after_first,
        )
    assert steps == [1]
    assert each_db.count("users") == 0
    await database.ping()  # the connection is usable afterwards


async def test_schema_introspection(database: Database) -> None:
    assert "users" in await database.table_names()
    columns = {c.name: c for c in await database.table_columns("users")}
    assert columns["id"].primary_key and not columns["email"].nullable
    assert await database.table_columns("users; DROP TABLE users") == []
    assert "users" in await database.table_names()


async def test_non_scalar_parameters_are_refused(database: Database) -> None:
    with pytest.raises(InvalidInput, match="parameters must be"):
        await run(database, BY_NAME[database.dialect], [{"nested": 1}])
