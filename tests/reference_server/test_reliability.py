"""Reliability on SQLite and PostgreSQL: an SQL-injection corpus through every database tool, 200 concurrent
create_user calls, and SIGKILL in the middle of batch_operations.

Each test prints one ``measured:`` line; ``pytest tests/reference_server/test_reliability.py -rP`` shows them.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from _refsrv_helpers import SERVER_COMMAND, placeholder, stdio_server, text_of, tool_call

from mcptest import Session
from mcptest.mocks.db import ThrowawayDatabase

CORPUS = [
    "1; DROP TABLE users",
    "1 OR 1=1",
    "' OR '1'='1",
    "'; DELETE FROM users; --",
    "users; DROP TABLE users",
    "users WHERE 1=1; --",
    "x' UNION SELECT name, email, 1, 1, 1 FROM users --",
    "1); DROP TABLE users; --",
    "Robert'); DROP TABLE users;--",
    "admin'--",
    "1 AND (SELECT count(*) FROM sqlite_master) > 0",
    "'||(SELECT email FROM users LIMIT 1)||'",
    "%' AND 1=0 UNION SELECT sql FROM sqlite_master --",
    "1; SELECT pg_sleep(5); --",
    "$1; COPY users TO '/tmp/users.csv'; --",
]
TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
}
SLOW = {  # a statement that runs long enough to be killed in the middle of
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 30000000) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(30)",
}


def fingerprint(db: ThrowawayDatabase) -> tuple[list[Any], list[Any]]:
    """Every table name and every user row, read over mcptest's own connection."""
    return db.query(TABLES[db.backend]), db.query("SELECT id, name, email FROM users ORDER BY id")


def attempts(session: Session, db: ThrowawayDatabase, payload: str) -> dict[str, Any]:
    """The payload through every database tool: as a bound parameter, as SQL, as an id, cursor, table, field."""
    where = f"= {placeholder(db)}"
    return {
        "execute_query/param": session.call_tool(
            "execute_query", {"query": f"SELECT id FROM users WHERE name {where}", "params": [payload]}
        ),
        "execute_query/sql": session.call_tool("execute_query", {"query": f"SELECT {payload}"}),
        "batch/param": session.call_tool(
            "batch_operations",
            {"operations": [{"query": f"SELECT id FROM users WHERE email {where}", "params": [payload]}]},
        ),
        "get_user": session.call_tool("get_user", {"user_id": payload}),
        "list_users": session.call_tool("list_users", {"cursor": payload}),
        "get_table_schema": session.call_tool("get_table_schema", {"table": payload}),
        "update_user/name": session.call_tool("update_user", {"user_id": 1, "name": payload}),
        "update_user/email": session.call_tool("update_user", {"user_id": 2, "email": payload}),
    }


def test_injection_corpus_never_runs_anything_unintended(
    each_db: ThrowawayDatabase, connect: Callable[..., Session], tmp_path: Path
) -> None:
    attached = tmp_path / "pwned.db"
    corpus = [*CORPUS, f"\"; ATTACH DATABASE '{attached}' AS p; --"]
    session = connect(allow_writes=True)  # the most permissive setting: writes are allowed
    for n in range(3):
        session.call_tool("create_user", {"name": f"Seed {n}", "email": f"seed{n}@example.com"})
    before = fingerprint(each_db)
    calls = 0
    for payload in corpus:
        outcomes = attempts(session, each_db, payload)
        calls += len(outcomes)
        for name in ("get_user", "list_users", "get_table_schema", "update_user/email"):
            assert outcomes[name].is_error, (name, payload)
        for name in ("execute_query/param", "batch/param"):
            assert not outcomes[name].is_error, (name, payload, outcomes[name].content)
        assert outcomes["execute_query/param"].structured_content["rows"] == [], payload  # compared as a value
        stored = each_db.scalar(f"SELECT name FROM users WHERE id = {each_db.placeholder}", [1])
        assert stored == payload  # update_user stored the literal text, nothing else ran
        session.call_tool("update_user", {"user_id": 1, "name": "Seed 0"})
    assert fingerprint(each_db) == before
    assert not attached.exists()
    print(f"measured: {each_db.backend}: {len(corpus)} payloads x 8 entry points = {calls} calls, "
          "0 unintended statements (tables and rows unchanged)")


def test_two_hundred_concurrent_creates(each_db: ThrowawayDatabase, connect: Callable[..., Session]) -> None:
    session = connect(timeout=60)
    failures: list[str] = []

    async def create_all() -> None:
        async def create(n: int) -> None:
            result = await session.client.call_tool("create_user", {"name": f"User {n}", "email": f"user{n}@x.io"})
            if result.is_error:
                failures.append(text_of(result))

        async with anyio.create_task_group() as group:
            for n in range(200):
                group.start_soon(create, n)

    started = time.monotonic()
    session.call(create_all)
    elapsed = time.monotonic() - started
    assert failures == []
    assert each_db.count("users") == 200
    assert each_db.scalar("SELECT count(DISTINCT email) FROM users") == 200
    print(f"measured: {each_db.backend}: 200 concurrent create_user -> 200 rows, 0 errors in {elapsed:.2f} s")


def test_sigkill_during_a_batch_leaves_the_database_all_or_nothing(
    each_db: ThrowawayDatabase, mcp_connect: Callable[..., Session]
) -> None:
    env = {**each_db.env, "MCP_DB_ALLOW_WRITES": "1", "MCP_DB_STATEMENT_TIMEOUT_MS": "60000", "MCP_LOG_LEVEL": "ERROR"}
    values = f"({placeholder(each_db, 1)}, {placeholder(each_db, 2)}, 't', 't')"
    insert = f"INSERT INTO users (name, email, created_at, updated_at) VALUES {values}"
    operations = [
        {"query": insert, "params": ["A", "a@example.com"]},
        {"query": insert, "params": ["B", "b@example.com"]},
        {"query": SLOW[each_db.backend]},
        {"query": insert, "params": ["C", "c@example.com"]},
    ]
    with stdio_server(env) as wire:
        wire.initialize("2025-11-25")
        assert wire.exchange(tool_call("create_user", {"name": "Before", "email": "before@example.com"}, 1)).ok
        wire.send(tool_call("batch_operations", {"operations": operations}, 2, progressToken="batch"))
        seen = wire.collect(15, until=lambda message: message.get("params", {}).get("progress") == 2)
        assert seen and seen[-1]["method"] == "notifications/progress", f"no progress 2 of 4 within 15 s: {seen}"
        os.killpg(wire.process.pid, signal.SIGKILL)  # two inserts done, the slow statement running
        assert wire.process.wait_exit(5) == -signal.SIGKILL
    assert each_db.query("SELECT name FROM users ORDER BY id") == [("Before",)]
    if each_db.backend == "sqlite":
        assert each_db.scalar("PRAGMA integrity_check") == "ok"
    restarted = mcp_connect(SERVER_COMMAND, env=env)  # the database is usable again straight away
    assert restarted.call_tool("get_user", {"user_id": 1}).structured_content["name"] == "Before"
    assert not restarted.call_tool("create_user", {"name": "After", "email": "after@example.com"}).is_error
    assert each_db.count("users") == 2
    print(f"measured: {each_db.backend}: SIGKILL after 2 of 4 batch operations -> 0 of them committed, "
          "database intact and writable after restart")
