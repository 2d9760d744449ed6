"""ASGI apps: ``/mcp`` (Streamable HTTP, both eras) or the legacy HTTP+SSE endpoints behind Origin/Host checks and
JWT bearer auth, plus unauthenticated ``/health``, ``/ready`` and ``/metrics`` for orchestrators and Prometheus."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import jwt
from mcp.server import MCPServer
from mcp.server.transport_security import (
    TransportSecurityMiddleware,
    TransportSecuritySettings,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from reference_server.asgi import json_object, read_body, replay, small_post
from reference_server.config import SecurityConfig, ServerConfig
from reference_server.events import MemoryEventStore
from reference_server.monitoring import database_status, health
from reference_server.runtime import Runtime
from reference_server.server import runtime_of
from reference_server.tasks.http import TaskRoutingHeaders

logger = logging.getLogger(__name__)
PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RETRY_INTERVAL_MS = 1000


class OriginGuard:
    """Reject foreign Host (421) and Origin (403) headers before anything else runs (DNS-rebinding defence)."""

    def __init__(self, app: ASGIApp, settings: TransportSecuritySettings) -> None:
        self.app = app
        self._checker = TransportSecurityMiddleware(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = await self._checker.validate_request(Request(scope), is_post=False)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BearerAuth:
    """Require ``Authorization: Bearer <JWT>`` signed with the configured secret (401 otherwise)."""

    def __init__(self, app: ASGIApp, security: SecurityConfig) -> None:
        if not security.jwt_secret:
            raise ValueError("BearerAuth needs security.jwt_secret (JWT_SECRET)")
        self.app = app
        self._secret = security.jwt_secret
        self._security = security

    def _verify(self, header: str | None) -> str | None:
        """Return why the request is refused, or None when the token is valid."""
        if not header or not header.lower().startswith("bearer "):
            return "missing bearer token: send 'Authorization: Bearer <JWT>'"
        try:
            jwt.decode(
                header[7:].strip(),
                self._secret,
                algorithms=list(self._security.jwt_algorithms),
                audience=self._security.jwt_audience,
                issuer=self._security.jwt_issuer,
                options={"require": ["exp"]},
            )
        except jwt.PyJWTError as exc:
            return f"invalid token: {exc}"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = self._verify(Request(scope).headers.get("authorization"))
            if reason is not None:
                logger.info("refused unauthenticated request to %s: %s", scope.get("path"), reason.split(":")[0])
                response = JSONResponse(
                    {"error": "invalid_token", "error_description": reason},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class VersionNegotiation:
    """Counter-offer declined protocol versions in ``initialize`` bodies (same policy as the stdio transport)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not small_post(scope) or b"mcp-session-id" in dict(scope.get("headers") or []):
            await self.app(scope, receive, send)
            return
        body, leftovers = await read_body(receive)
        if body is not None:
            body = _rewrite_initialize(body)
        await self.app(scope, replay(body, leftovers, receive), send)


DECLINED_VERSIONS = {"2025-03-26": "2025-06-18"}
"""Over HTTP, 2025-03-26 (which requires JSON-RPC batches) is answered with 2025-06-18: the SDK's streamable
HTTP transport cannot serve batches, and the spec lets a server counter-offer a version it supports."""


def _rewrite_initialize(body: bytes) -> bytes:
    data = json_object(body)
    if data is not None and data.get("method") == "initialize" and isinstance(data.get("params"), dict):
        requested = data["params"].get("protocolVersion")
        if isinstance(requested, str) and requested in DECLINED_VERSIONS:
            data["params"]["protocolVersion"] = DECLINED_VERSIONS[requested]
            return json.dumps(data).encode()
    return body


def _endpoint(handler: Callable[[], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(_: Request) -> Response:
        return await handler()

    return endpoint


def _security(config: ServerConfig) -> TransportSecuritySettings:
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(config.http.allowed_hosts),
        allowed_origins=list(config.http.allowed_origins),
    )


def _guarded(app: ASGIApp, config: ServerConfig, settings: TransportSecuritySettings) -> ASGIApp:
    """``app`` behind JWT bearer auth (when a secret is configured) and, before anything else, Origin/Host checks."""
    if config.security.jwt_secret:
        app = BearerAuth(app, config.security)
    return OriginGuard(app, settings)


def _operations_routes(runtime: Runtime, config: ServerConfig) -> list[Route]:
    """``/health``, ``/ready`` and ``/metrics``, outside authentication."""

    async def liveness() -> Response:
        report = await health(runtime.db, runtime.metrics)
        return JSONResponse({**report.as_dict(), "version": config.version})

    async def readiness() -> Response:
        state, error = await database_status(runtime.db)
        body: dict[str, Any] = {"ready": state == "up", "database": state, "error": error}
        return JSONResponse(body, status_code=200 if state == "up" else 503)

    async def metrics() -> Response:
        return PlainTextResponse(runtime.metrics.prometheus(), media_type=PROMETHEUS_TYPE)

    return [
        Route("/health", _endpoint(liveness), methods=["GET"]),
        Route("/ready", _endpoint(readiness), methods=["GET"]),
        Route("/metrics", _endpoint(metrics), methods=["GET"]),
    ]


def create_app(mcp: MCPServer, config: ServerConfig) -> Starlette:
    """The ASGI application for ``mcp`` (built by ``build_server``) with ``config.http`` and ``config.security``."""
    runtime = runtime_of(mcp)
    settings = _security(config)
    resumable = config.http.resumable
    mcp_app = mcp.streamable_http_app(
        json_response=config.http.json_response,
        transport_security=settings,
        event_store=MemoryEventStore() if resumable else None,
        retry_interval=RETRY_INTERVAL_MS if resumable else None,
    )
    guarded = _guarded(TaskRoutingHeaders(VersionNegotiation(mcp_app)), config, settings)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with mcp_app.router.lifespan_context(mcp_app):  # runs the MCP session manager and our runtime
            yield

    return Starlette(routes=[*_operations_routes(runtime, config), Mount("/", app=guarded)], lifespan=lifespan)


def create_sse_app(mcp: MCPServer, config: ServerConfig) -> Starlette:
    """The legacy HTTP+SSE transport (2024-11-05): ``GET /sse`` opens the stream, whose first event ``endpoint``
    names ``/messages/?session_id=...`` for the POSTs; same Origin/Host checks, auth and operations routes."""
    runtime = runtime_of(mcp)
    settings = _security(config)
    sse_app = mcp.sse_app(transport_security=settings, host=config.http.host)
    guarded = _guarded(VersionNegotiation(sse_app), config, settings)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with runtime.running():  # each SSE connection also runs the server's lifespan (reference-counted)
            yield

    return Starlette(routes=[*_operations_routes(runtime, config), Mount("/", app=guarded)], lifespan=lifespan)
