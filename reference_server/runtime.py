"""The wired-up layers (database, HTTP client, services, metrics) with a reference-counted start/stop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import httpx

from reference_server.clock import Clock, SystemClock
from reference_server.config import ServerConfig
from reference_server.data import create_database
from reference_server.data.base import Database
from reference_server.domain import OrderService, QueryService, UserService
from reference_server.integrations import ApiClient, ServiceRegistry
from reference_server.monitoring import Metrics


@dataclass
class Runtime:
    """Everything the MCP layer calls into. Injected parts (db, http) are used as given and not closed here."""

    config: ServerConfig
    clock: Clock
    db: Database
    http: httpx.AsyncClient
    registry: ServiceRegistry
    api: ApiClient
    users: UserService
    queries: QueryService
    orders: OrderService
    metrics: Metrics
    owns_db: bool
    owns_http: bool
    _active: int = 0
    _lock: anyio.Lock = field(default_factory=anyio.Lock)

    async def start(self) -> None:
        """Connect the database on first use (later calls only count)."""
        async with self._lock:
            if self._active == 0:
                await self.db.connect()
            self._active += 1

    async def stop(self) -> None:
        """Release what this runtime opened once the last user stops."""
        async with self._lock:
            self._active = max(0, self._active - 1)
            if self._active == 0:
                if self.owns_db:
                    await self.db.close()
                if self.owns_http:
                    await self.http.aclose()
                    self.http = httpx.AsyncClient()
                    self.api.http = self.http

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Runtime]:
        """``start()`` ... ``stop()`` as a context manager (the MCP server's lifespan)."""
        await self.start()
        try:
            yield self
        finally:
            with anyio.CancelScope(shield=True):
                await self.stop()


def create_runtime(
    config: ServerConfig,
    *,
    db: Database | None = None,
    http_client: httpx.AsyncClient | None = None,
    clock: Clock | None = None,
) -> Runtime:
    """Wire the layers from ``config``; pass ``db``/``http_client``/``clock`` to substitute test doubles."""
    clock = clock or SystemClock()
    database = db if db is not None else create_database(config.database, clock=clock)
    http = http_client if http_client is not None else httpx.AsyncClient()
    registry = ServiceRegistry(config.services, clock)
    api = ApiClient(registry, http, clock)
    return Runtime(
        config=config,
        clock=clock,
        db=database,
        http=http,
        registry=registry,
        api=api,
        users=UserService(database, clock),
        queries=QueryService(database, config.database),
        orders=OrderService(api, config.orders),
        metrics=Metrics(clock),
        owns_db=db is None,
        owns_http=http_client is None,
    )
