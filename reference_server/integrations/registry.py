"""Service registry: the instances of every configured service, their health, and round-robin load balancing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import anyio
import httpx

from reference_server.clock import Clock
from reference_server.config import ServiceConfig
from reference_server.errors import NotConfigured


@dataclass
class Instance:
    """One base URL of a service and what we last learned about its health."""

    url: str
    healthy: bool | None = None
    last_checked: float | None = None
    last_error: str | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class InstanceHealth:
    """Result of probing one instance."""

    service: str
    url: str
    healthy: bool
    latency_ms: float | None
    error: str | None


class ServiceRegistry:
    """Knows every service's instances; picks healthy ones in turn; probes their health endpoints."""

    def __init__(self, services: Mapping[str, ServiceConfig], clock: Clock) -> None:
        self._configs = dict(services)
        self._instances = {name: [Instance(url.rstrip("/")) for url in cfg.base_urls] for name, cfg in services.items()}
        self._cursors: dict[str, Iterator[int]] = {name: itertools.count() for name in services}
        self._clock = clock

    @property
    def names(self) -> list[str]:
        """Registered service names, sorted."""
        return sorted(self._configs)

    def config(self, service: str) -> ServiceConfig:
        """The service's configuration, or ``NotConfigured`` naming the known services."""
        try:
            return self._configs[service]
        except KeyError:
            known = ", ".join(self.names) or "none"
            raise NotConfigured(
                f"unknown service {service!r}; configured services: {known} "
                f"(add services.{service}.base_urls to the config or set SERVICE_URLS_{service.upper()})"
            ) from None

    def instances(self, service: str) -> list[Instance]:
        """All instances of a service."""
        self.config(service)
        return list(self._instances[service])

    def pick(self, service: str) -> Instance:
        """Next instance in round-robin order among those not known to be unhealthy.

        When every instance is marked unhealthy the marks may be stale, so all are eligible again;
        the circuit breaker is what stops traffic to a service that is really down.
        """
        self.config(service)
        candidates = [i for i in self._instances[service] if i.healthy is not False] or self._instances[service]
        return candidates[next(self._cursors[service]) % len(candidates)]

    def mark(self, instance: Instance, *, healthy: bool, error: str | None = None) -> None:
        """Record passive health learned from a real call."""
        instance.healthy = healthy
        instance.last_error = error
        instance.last_checked = self._clock.wall()

    async def check(self, http: httpx.AsyncClient, service: str) -> list[InstanceHealth]:
        """Probe every instance of ``service`` concurrently (GET base_url + health_path)."""
        config = self.config(service)
        results: list[InstanceHealth] = []

        async def probe(instance: Instance) -> None:
            started = self._clock.monotonic()
            error: str | None = None
            try:
                response = await http.get(instance.url + config.health_path, timeout=config.timeout_s)
                healthy = response.status_code < 400
                if not healthy:
                    error = f"health endpoint answered HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                healthy, error = False, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            instance.latency_ms = round((self._clock.monotonic() - started) * 1000, 2)
            self.mark(instance, healthy=healthy, error=error)
            results.append(InstanceHealth(service, instance.url, healthy, instance.latency_ms, error))

        async with anyio.create_task_group() as group:
            for instance in self._instances[service]:
                group.start_soon(probe, instance)
        return sorted(results, key=lambda r: r.url)
