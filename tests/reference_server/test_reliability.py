"""Reliability: SQL-injection corpus through every database tool, and 200 concurrent create_user calls."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import pytest
from _refsrv_helpers import connect
from mcp.server import MCPServer

from reference_server.data import SQLiteDatabase

pytestmark = pytest.mark.anyio
CORPUS = [
    "1; DROP TABLE users",
    "1 OR 1=1",
    "' OR '1'='1",
    "'; DELETE FROM users; --",
    "users; DROP TABLE users",
    "users WHERE 1=1; --",
    "x' UNION SELECT name, email, 1, 1, 1 FROM users --",
    "1); DROP TABLE users; --",
    "\"; ATTACH DATABASE '/tmp/pwned.db' AS p; --",
    "Robert'); DROP TABLE users;--",
    "admin'--",
    "1 AND (SELECT count(*) FROM sqlite_master) > 0",
    "'||(SELECT email FROM users LIMIT 1)||'",
    "%' AND 1=0 UNION SELECT sql FROM sqlite_master --",
]


async def fingerprint(db: SQLiteDatabase) -> tuple[list[str], list[tuple[int, str, str]]]:
    users = [(u.id, u.name, u.email) for u in await db.list_users(0, 1000)]
    return await db.table_names(), users


async def test_injection_corpus_never_runs_anything_unintended(
    make_server: Callable[..., MCPServer], sqlite_db: SQLiteDatabase
) -> None:
    async with connect(make_server(allow_writes=True)) as client:
        for n in range(3):
            await client.call_tool("create_user", {"name": f"Seed {n}", "email": f"seed{n}@example.com"})
        before = await fingerprint(sqlite_db)
        for payload in CORPUS:
            outcomes = {
                "execute_query/param": await client.call_tool(
                    "execute_query", {"query": "SELECT id FROM users WHERE name = ?", "params": [payload]}
                ),
                "execute_query/sql": await client.call_tool("execute_query", {"query": f"SELECT {payload}"}),
                "batch/param": await client.call_tool(
                    "batch_operations",
                    {"operations": [{"query": "SELECT id FROM users WHERE email = ?", "params": [payload]}]},
                ),
                "get_user": await client.call_tool("get_user", {"user_id": payload}),
                "list_users": await client.call_tool("list_users", {"cursor": payload}),
                "get_table_schema": await client.call_tool("get_table_schema", {"table": payload}),
                "update_user/name": await client.call_tool("update_user", {"user_id": 1, "name": payload}),
                "update_user/email": await client.call_tool("update_user", {"user_id": 2, "email": payload}),
            }
            for name in ("get_user", "list_users", "get_table_schema", "update_user/email"):
                assert outcomes[name].is_error, (name, payload)
            for name in ("execute_query/param", "batch/param"):
                assert not outcomes[name].is_error, (name, payload, outcomes[name].content)
            param = outcomes["execute_query/param"].structured_content
            assert param["rows"] == [], payload  # the payload was compared as a value, never parsed as SQL
            await client.call_tool("update_user", {"user_id": 1, "name": "Seed 0"})  # undo the literal rename
        assert await fingerprint(sqlite_db) == before


async def test_two_hundred_concurrent_creates(make_server: Callable[..., MCPServer], sqlite_db: SQLiteDatabase) -> None:
    failures: list[str] = []

    async with connect(make_server()) as client:

        async def create(n: int) -> None:
            result = await client.call_tool("create_user", {"name": f"User {n}", "email": f"user{n}@example.com"})
            if result.is_error:
                failures.append(result.content[0].text)

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for n in range(200):
                    group.start_soon(create, n)
    assert failures == []
    assert await sqlite_db.count_users() == 200
    assert len({u.email for u in await sqlite_db.list_users(0, 500)}) == 200
