"""The server as a real subprocess over stdio: framing errors answered, version negotiation, SDK clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _refsrv_helpers import PY, SERVER_COMMAND, stdio_server, tool_call
from mcp import Client, StdioServerParameters

from mcptest import Session
from mcptest.wire import StdioWire

QUIET = {"MCP_LOG_LEVEL": "WARNING"}


@pytest.fixture
def wire(tmp_path: Path) -> Iterator[StdioWire]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'stdio.db'}", "MCP_DB_ALLOW_WRITES": "1", **QUIET}
    with stdio_server(env) as server:
        yield server


def test_framing_errors_are_answered_and_service_continues(wire: StdioWire) -> None:
    wire.send(b"{not json\n")
    assert wire.recv() == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
    assert wire.initialize("2025-11-25").result["protocolVersion"] == "2025-11-25"
    for bad in (
        b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
        b'{"jsonrpc":"1.0","id":2,"method":"ping"}',
        b'{"jsonrpc":"2.0","id":true,"method":"ping"}',
    ):
        wire.send(bad + b"\n")
        reply = wire.recv()
        assert reply is not None and reply["id"] is None and reply["error"]["code"] == -32600, (bad, reply)
    assert wire.exchange(tool_call("nope", {}, 3)).error_code == -32602
    created = wire.exchange(tool_call("create_user", {"name": "Zoë ✓", "email": "zoe@example.com"}, 4))
    assert created.result["structuredContent"]["name"] == "Zoë ✓"
    wire.process.close_stdin()  # the spec's shutdown: the server exits on its own, cleanly
    assert wire.process.wait_exit(10) == 0
    assert wire.garbage == []  # nothing but JSON-RPC ever reached stdout


def test_requests_piped_before_eof_are_answered() -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    }
    lines = [json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}), json.dumps(initialize)]
    done = subprocess.run(
        [PY, "-m", "reference_server"],
        input="\n".join(lines) + "\n",
        text=True,
        capture_output=True,
        timeout=30,
        env={**os.environ, **QUIET},
        check=False,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and [r["id"] for r in replies] == [1, 2]


def test_2025_03_26_batches_are_answered_as_one_array(wire: StdioWire) -> None:
    assert wire.initialize("2025-03-26").result["protocolVersion"] == "2025-03-26"
    batch = [
        {"jsonrpc": "2.0", "id": "a", "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": "x", "progress": 1}},
        {"jsonrpc": "1.0", "id": "b", "method": "ping"},
        tool_call("create_user", {"name": "Batch", "email": "batch@example.com"}, "c"),
    ]
    wire.send(batch)
    answers = wire.recv()
    assert isinstance(answers, list) and sorted(str(a["id"]) for a in answers) == ["None", "a", "c"], answers
    refused = next(a for a in answers if a["id"] is None)
    assert refused["error"]["code"] == -32600
    assert next(a for a in answers if a["id"] == "c")["result"]["structuredContent"]["name"] == "Batch"
    wire.send([])  # JSON-RPC 2.0: an empty array is an invalid request, answered once
    assert wire.recv()["error"]["code"] == -32600
    assert wire.exchange({"jsonrpc": "2.0", "id": 9, "method": "ping"}).result == {}  # single messages as before


def test_sdk_session_over_stdio(tmp_path: Path, mcp_connect: Callable[..., Session]) -> None:
    session = mcp_connect(SERVER_COMMAND, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'sdk.db'}", **QUIET})
    assert session.call_tool("create_user", {"name": "Ada", "email": "ada@example.com"}).structured_content["id"] == 1
    assert session.call_tool("get_user", {"user_id": 1}).structured_content["email"] == "ada@example.com"
    assert session.stderr_lines() == []  # WARNING level: a healthy session logs nothing


@pytest.mark.anyio
async def test_the_modern_era_on_the_same_command(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "reference_server"],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'sdk.db'}", "PYTHONPATH": ":".join(sys.path), **QUIET},
    )
    async with Client(params, mode="2026-07-28", cache=None) as client:  # mcp_connect speaks the handshake era
        result = await client.call_tool("health_check", {})
        assert result.structured_content["status"] == "healthy"


def modern(capabilities: dict[str, Any]) -> dict[str, Any]:
    """The 2026-07-28 per-request ``_meta`` envelope."""
    return {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
    }


def test_2026_listen_stream_and_input_required_round_trip_on_one_pipe(wire: StdioWire) -> None:
    """At 2026-07-28 on stdio the listen stream and other requests share the pipe; list changes arrive tagged."""
    params = {"notifications": {"toolsListChanged": True}, "_meta": modern({})}
    wire.send({"jsonrpc": "2.0", "id": "listen-1", "method": "subscriptions/listen", "params": params})
    assert wire.recv()["method"] == "notifications/subscriptions/acknowledged"
    enter = {"name": "set_maintenance_mode", "arguments": {"enabled": True, "reason": "stdio"}}
    asked = wire.request("tools/call", enter, meta=modern({"elicitation": {}}))
    assert asked.result["resultType"] == "input_required"
    (key,) = asked.result["inputRequests"]
    answer = {
        "inputResponses": {key: {"action": "accept", "content": {"confirm": True}}},
        "requestState": asked.result["requestState"],
    }
    done = wire.request("tools/call", {**enter, **answer}, meta=modern({"elicitation": {}}))
    assert done.result["structuredContent"]["active"] is True
    changes = [n for n in done.notifications if n["method"] == "notifications/tools/list_changed"]
    if not changes:
        changes = wire.collect(5, until=lambda m: m.get("method") == "notifications/tools/list_changed")[-1:]
    assert changes and changes[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "listen-1"
