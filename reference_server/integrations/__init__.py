"""Outbound integrations: HTTP API client, retries, circuit breakers, service registry and tracing."""

from reference_server.integrations.circuit import CircuitBreaker
from reference_server.integrations.client import ApiClient, ApiResponse
from reference_server.integrations.registry import ServiceRegistry
from reference_server.integrations.retry import RetryPolicy

__all__ = ["ApiClient", "ApiResponse", "CircuitBreaker", "RetryPolicy", "ServiceRegistry"]
