"""Streamable HTTP on a real socket: health endpoints outside auth (readiness on each database backend), 401
without a token, 403 for a foreign Origin, and the SDK client on both protocol eras with a bearer token."""

from __future__ import annotations

import time

import httpx
import httpx2
import jwt
import pytest
from _refsrv_helpers import serve_http
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mcptest.launch.wait import free_port
from reference_server.config import DatabaseConfig, SecurityConfig, ServerConfig
from reference_server.data.base import Database
from reference_server.http import create_app
from reference_server.server import build_server

pytestmark = pytest.mark.anyio
SECRET = "a-test-secret-that-is-long-enough-for-hs256"
PARAMS = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "tests", "version": "0"}}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": PARAMS,
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def token(**claims: object) -> str:
    return jwt.encode({"sub": "tests", "exp": int(time.time()) + 300, **claims}, SECRET, algorithm="HS256")


def make_app(secret: str | None = SECRET, db: Database | None = None) -> object:
    """The ASGI app on ``db`` (default: the embedded in-memory SQLite), with bearer auth when ``secret`` is set."""
    config = ServerConfig(
        log_level="WARNING", security=SecurityConfig(jwt_secret=secret), database=DatabaseConfig(allow_writes=True)
    )
    return create_app(build_server(config, db=db), config)


async def test_health_endpoints_need_no_token(database: Database) -> None:
    async with serve_http(make_app(db=database), free_port()) as base, httpx.AsyncClient(base_url=base) as http:
        health = await http.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "healthy"
        assert (await http.get("/ready")).json() == {"ready": True, "database": "up", "error": None}
        metrics = await http.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert "# TYPE mcp_requests_total counter" in metrics.text
        await database.close()  # the database goes away: not ready, but still alive
        ready = await http.get("/ready")
        assert ready.status_code == 503 and ready.json()["database"] == "down"
        assert (await http.get("/health")).json()["status"] == "unhealthy"


async def test_mcp_requires_a_valid_token() -> None:
    async with serve_http(make_app(), free_port()) as base, httpx.AsyncClient(base_url=base) as http:
        missing = await http.post("/mcp", json=INIT, headers=HEADERS)
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        wrong = jwt.encode({"exp": int(time.time()) + 60}, "another-secret-of-sufficient-length!!", algorithm="HS256")
        for bad in (wrong, token(exp=int(time.time()) - 10), "not.a.jwt"):
            response = await http.post("/mcp", json=INIT, headers={**HEADERS, "Authorization": f"Bearer {bad}"})
            assert response.status_code == 401
        ok = await http.post("/mcp", json=INIT, headers={**HEADERS, "Authorization": f"Bearer {token()}"})
        assert ok.status_code == 200 and ok.headers["mcp-session-id"]


async def test_foreign_origin_and_host_are_refused() -> None:
    auth = {**HEADERS, "Authorization": f"Bearer {token()}"}
    async with serve_http(make_app(), free_port()) as base, httpx.AsyncClient(base_url=base) as http:
        origin = await http.post("/mcp", json=INIT, headers={**auth, "Origin": "http://evil.example"})
        assert origin.status_code == 403
        unauthenticated = await http.post("/mcp", json=INIT, headers={**HEADERS, "Origin": "http://evil.example"})
        assert unauthenticated.status_code == 403  # the origin check comes first
        host = await http.post("/mcp", json=INIT, headers={**auth, "Host": "evil.example:80"})
        assert host.status_code == 421
        local = await http.post("/mcp", json=INIT, headers={**auth, "Origin": base})
        assert local.status_code == 200


async def test_sdk_client_on_both_eras() -> None:
    async with serve_http(make_app(), free_port()) as base:
        for mode in ("legacy", "2026-07-28"):
            http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token()}"}, timeout=10)
            transport = streamable_http_client(f"{base}/mcp", http_client=http)
            async with http, Client(transport, mode=mode, cache=None) as client:
                created = await client.call_tool("create_user", {"name": mode, "email": f"{mode}@example.com"})
                assert not created.is_error, created.content
                assert (
                    await client.call_tool("get_user", {"user_id": created.structured_content["id"]})
                ).structured_content["name"] == mode


async def test_auth_is_off_without_a_secret() -> None:
    async with serve_http(make_app(secret=None), free_port()) as base, httpx.AsyncClient(base_url=base) as http:
        assert (await http.post("/mcp", json=INIT, headers=HEADERS)).status_code == 200
        old = {**INIT, "params": {**PARAMS, "protocolVersion": "2025-03-26"}}
        answer = await http.post("/mcp", json=old, headers=HEADERS)
        assert answer.status_code == 200 and '"protocolVersion":"2025-06-18"' in answer.text  # counter-offer
