"""ASGI app: ``/mcp`` (Streamable HTTP, both eras) behind Origin/Host checks and JWT bearer auth, plus
unauthenticated ``/health``, ``/ready`` and ``/metrics`` for orchestrators and Prometheus."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import jwt
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_server.config import SecurityConfig, ServerConfig
from reference_server.events import MemoryEventStore
from reference_server.monitoring import database_status, health
from reference_server.server import runtime_of
from reference_server.stdio import DECLINED_VERSIONS

logger = logging.getLogger(__name__)
PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RETRY_INTERVAL_MS = 1000
MAX_INITIALIZE_BYTES = 64 * 1024


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
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        small = length.isdigit() and int(length) <= MAX_INITIALIZE_BYTES  # never buffer large or unsized bodies
        if scope["type"] != "http" or scope.get("method") != "POST" or b"mcp-session-id" in headers or not small:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = _rewrite_initialize(b"".join(chunks))
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


def _rewrite_initialize(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body
    if isinstance(data, dict) and data.get("method") == "initialize" and isinstance(data.get("params"), dict):
        requested = data["params"].get("protocolVersion")
        if isinstance(requested, str) and requested in DECLINED_VERSIONS:
            data["params"]["protocolVersion"] = DECLINED_VERSIONS[requested]
            return json.dumps(data).encode()
    return body


def _endpoint(handler: Callable[[], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(_: Request) -> Response:
        return await handler()

    return endpoint


def create_app(mcp: MCPServer, config: ServerConfig) -> Starlette:
    """The ASGI application for ``mcp`` (built by ``build_server``) with ``config.http`` and ``config.security``."""
    runtime = runtime_of(mcp)
    settings = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(config.http.allowed_hosts),
        allowed_origins=list(config.http.allowed_origins),
    )
    resumable = config.http.resumable
    mcp_app = mcp.streamable_http_app(
        json_response=config.http.json_response,
        transport_security=settings,
        event_store=MemoryEventStore() if resumable else None,
        retry_interval=RETRY_INTERVAL_MS if resumable else None,
    )
    guarded: ASGIApp = VersionNegotiation(mcp_app)
    if config.security.jwt_secret:
        guarded = BearerAuth(guarded, config.security)
    guarded = OriginGuard(guarded, settings)

    async def liveness() -> Response:
        report = await health(runtime.db, runtime.metrics)
        return JSONResponse({**report.as_dict(), "version": config.version})

    async def readiness() -> Response:
        state, error = await database_status(runtime.db)
        body: dict[str, Any] = {"ready": state == "up", "database": state, "error": error}
        return JSONResponse(body, status_code=200 if state == "up" else 503)

    async def metrics() -> Response:
        return PlainTextResponse(runtime.metrics.prometheus(), media_type=PROMETHEUS_TYPE)

    routes = [
        Route("/health", _endpoint(liveness), methods=["GET"]),
        Route("/ready", _endpoint(readiness), methods=["GET"]),
        Route("/metrics", _endpoint(metrics), methods=["GET"]),
        Mount("/", app=guarded),
    ]

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with mcp_app.router.lifespan_context(mcp_app):  # runs the MCP session manager and our runtime
            yield

    return Starlette(routes=routes, lifespan=lifespan)
