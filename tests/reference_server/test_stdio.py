"""The server as a real subprocess over stdio: framing errors answered, SDK client works, SIGKILL is safe."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _refsrv_helpers import StdioProcess, by_id
from mcp import Client, StdioServerParameters

SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 30000000) SELECT count(*) FROM c"
INSERT = "INSERT INTO users (name, email, created_at, updated_at) VALUES (?, ?, 't', 't')"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StdioProcess]:
    proc = StdioProcess(
        [],
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'stdio.db'}",
            "MCP_DB_ALLOW_WRITES": "1",
            "MCP_DB_STATEMENT_TIMEOUT_MS": "60000",
            "MCP_LOG_LEVEL": "WARNING",
        },
    )
    yield proc
    proc.close()


def test_framing_errors_are_answered_and_service_continues(server: StdioProcess) -> None:
    server.send_raw(b"{not json\n")
    assert server.recv() == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
    assert server.initialize()["result"]["protocolVersion"] == "2025-11-25"
    for bad in (
        b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
        b'{"jsonrpc":"1.0","id":2,"method":"ping"}',
        b'{"jsonrpc":"2.0","id":true,"method":"ping"}',
    ):
        server.send_raw(bad + b"\n")
        reply = server.recv()
        assert reply["id"] is None and reply["error"]["code"] == -32600
    server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "nope", "arguments": {}}})
    assert server.recv()["error"]["code"] == -32602
    server.send(
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "create_user", "arguments": {"name": "Zoë ✓", "email": "zoe@example.com"}},
        }
    )
    assert server.recv()["result"]["structuredContent"]["name"] == "Zoë ✓"
    assert server.close() == 0


def test_requests_piped_before_eof_are_answered(tmp_path: Path) -> None:
    lines = [
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "0"},
                },
            }
        ),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "reference_server"],
        input="\n".join(lines) + "\n",
        text=True,
        capture_output=True,
        timeout=30,
        env={**os.environ, "MCP_LOG_LEVEL": "WARNING"},
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and [r["id"] for r in replies] == [1, 2]


def test_2025_03_26_is_declined_with_a_counter_offer(server: StdioProcess) -> None:
    assert server.initialize("2025-03-26")["result"]["protocolVersion"] == "2025-06-18"


def test_sigkill_during_a_batch_leaves_the_database_all_or_nothing(server: StdioProcess, tmp_path: Path) -> None:
    server.initialize()
    server.send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "create_user", "arguments": {"name": "Before", "email": "before@example.com"}},
        }
    )
    assert "result" in server.recv_until(by_id(1))[1]
    operations = [
        {"query": INSERT, "params": ["A", "a@example.com"]},
        {"query": INSERT, "params": ["B", "b@example.com"]},
        {"query": SLOW},
        {"query": INSERT, "params": ["C", "c@example.com"]},
    ]
    server.send(
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {
                "name": "batch_operations",
                "arguments": {"operations": operations},
                "_meta": {"progressToken": "batch"},
            },
        }
    )
    server.recv_until(lambda m: m.get("method") == "notifications/progress" and m["params"]["progress"] == 2)
    server.kill()  # two inserts done, the slow statement running, nothing committed
    with sqlite3.connect(tmp_path / "stdio.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert [row[0] for row in conn.execute("SELECT name FROM users ORDER BY id")] == ["Before"]


@pytest.mark.anyio
async def test_sdk_client_over_stdio(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "reference_server"],
        env={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'sdk.db'}",
            "MCP_LOG_LEVEL": "WARNING",
            "PYTHONPATH": ":".join(sys.path),
        },
    )
    async with Client(params, mode="legacy", cache=None) as client:
        result = await client.call_tool("create_user", {"name": "Ada", "email": "ada@example.com"})
        assert result.structured_content["id"] == 1
    async with Client(params, mode="2026-07-28", cache=None) as client:  # the modern era on the same command
        result = await client.call_tool("health_check", {})
        assert result.structured_content["status"] == "healthy"
