"""Outbound HTTP to configured services: load balancing, timeouts, safe retries, circuit breaking, tracing."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from reference_server.clock import Clock
from reference_server.errors import InvalidInput, UpstreamError
from reference_server.integrations.circuit import CircuitBreaker
from reference_server.integrations.registry import ServiceRegistry
from reference_server.integrations.retry import RetryPolicy, parse_retry_after
from reference_server.integrations.tracing import client_span, mark_error

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_BODY_CHARS = 65_536


@dataclass(frozen=True)
class ApiResponse:
    """What a service answered, after retries."""

    service: str
    method: str
    url: str
    status: int
    body: Any
    attempts: int

    @property
    def ok(self) -> bool:
        """2xx/3xx."""
        return self.status < 400


def _check_endpoint(endpoint: str) -> str:
    """Only a path relative to the service may be requested (never another host)."""
    parts = urlsplit(endpoint)
    if parts.scheme or parts.netloc or endpoint.startswith("//") or "\\" in endpoint:
        raise InvalidInput(f"endpoint must be a path such as '/users/1', not a URL: {endpoint!r}")
    if any(segment == ".." for segment in parts.path.split("/")) or any(ord(ch) < 32 for ch in endpoint):
        raise InvalidInput(f"endpoint may not contain '..' segments or control characters: {endpoint!r}")
    return "/" + endpoint.lstrip("/")


def _body(response: httpx.Response) -> Any:
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    text = response.text
    return text if len(text) <= MAX_BODY_CHARS else text[:MAX_BODY_CHARS] + "...[truncated]"


class ApiClient:
    """Calls configured services through the registry; every instance of ``httpx.AsyncClient`` works (respx too)."""

    def __init__(
        self,
        registry: ServiceRegistry,
        http: httpx.AsyncClient,
        clock: Clock,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.registry = registry
        self.http = http
        self._clock = clock
        self._rand = rand
        self.breakers = {name: CircuitBreaker(name, registry.config(name).circuit, clock) for name in registry.names}

    async def request(
        self,
        service: str,
        method: str,
        endpoint: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """Send one logical request, retrying only where it is safe.

        Raises:
            NotConfigured: Unknown service.
            InvalidInput: Bad method or endpoint.
            CircuitOpen: The service's circuit is open.
            UpstreamError: Every allowed attempt failed (connection error, timeout or 5xx).
        """
        config = self.registry.config(service)
        method = method.upper()
        if method not in METHODS:
            raise InvalidInput(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        path = _check_endpoint(endpoint)
        policy = RetryPolicy.from_config(config.retry)
        breaker = self.breakers[service]
        base_headers = {**(headers or {})}
        if config.api_key:
            base_headers["Authorization"] = f"Bearer {config.api_key}"
        attempt = 0
        while True:
            attempt += 1
            breaker.before_call()
            instance = self.registry.pick(service)
            url = instance.url + path
            retry_after: float | None = None
            with client_span(
                f"{method} {service}", {"http.request.method": method, "url.full": url, "server.service": service}
            ) as (span, trace_headers):
                try:
                    response = await self.http.request(
                        method,
                        url,
                        json=json,
                        params=params,
                        headers={**base_headers, **trace_headers},
                        timeout=config.timeout_s,
                    )
                except httpx.HTTPError as exc:
                    never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    mark_error(span, reason)
                    breaker.record_failure()
                    self.registry.mark(instance, healthy=False, error=reason)
                    can_retry = never_sent or policy.replay_safe(method, base_headers)
                    failure = UpstreamError(f"{method} {service}{path} failed: {reason}", service=service)
                else:
                    span.set_attribute("http.response.status_code", response.status_code)
                    retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock.wall())
                    if not policy.retryable_status(response.status_code, retry_after):
                        breaker.record_success()
                        self.registry.mark(instance, healthy=True)
                        return ApiResponse(service, method, url, response.status_code, _body(response), attempt)
                    mark_error(span, f"HTTP {response.status_code}")
                    if response.status_code >= 500:
                        breaker.record_failure()
                    can_retry = policy.replay_safe(method, base_headers)
                    failure = UpstreamError(
                        f"{method} {service}{path} answered HTTP {response.status_code}",
                        service=service,
                        status=response.status_code,
                    )
            wait = policy.delay(attempt, retry_after, self._rand) if can_retry else None
            if attempt >= policy.max_attempts or wait is None:
                note = "" if can_retry else " (not retried: the request is not idempotent; send an Idempotency-Key)"
                raise UpstreamError(
                    f"{failure} after {attempt} attempt(s){note}", service=service, status=failure.status
                ) from failure
            await self._clock.sleep(wait)
