"""What the grader configures: the upstream services it fakes, and the environment every server instance gets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SERVER_NAME = "mcptest-grading"
JWT_SECRET = "mcptest-grading-jwt-secret-7f3a9c2e5b8d1f4a6c0e9b2d"  # 48 characters, HS256
STUB_KEYS = ("main", "second", "doomed", "slow", "closed")
SENTINEL_NOTES = ("alpha", "bravo", "charlie")


@dataclass(frozen=True)
class ServiceSpec:
    """One fake upstream service: where its instances live and how it is tuned through the environment.

    Every instance's base URL is ``<stub URL>/<name>``, so many services share one stub server and each
    probe sees only the requests of its own service.
    """

    name: str
    stubs: tuple[str, ...] = ("main",)
    api_key: str | None = None
    timeout: float | None = None
    retry_delay: float = 0.05
    threshold: int | None = None
    reset: float | None = None
    healthy: bool = True

    @property
    def suffix(self) -> str:
        """The environment-variable suffix: ``user-service`` -> ``USER_SERVICE``."""
        return self.name.upper().replace("-", "_")

    @property
    def prefix(self) -> str:
        """The path every request to this service starts with on its stubs."""
        return f"/{self.name}"

    def env(self, stub_urls: Mapping[str, str]) -> dict[str, str]:
        """``SERVICE_URLS_*`` and the tuning variables for this service."""
        values = {f"SERVICE_URLS_{self.suffix}": ",".join(stub_urls[key] + self.prefix for key in self.stubs),
                  f"SERVICE_RETRY_DELAY_{self.suffix}": f"{self.retry_delay:g}"}
        optional = {"API_KEY_": self.api_key, "SERVICE_TIMEOUT_": self.timeout,
                    "CIRCUIT_FAILURE_THRESHOLD_": self.threshold, "CIRCUIT_RESET_TIMEOUT_": self.reset}
        values.update({f"{prefix}{self.suffix}": f"{value:g}" if isinstance(value, float) else str(value)
                       for prefix, value in optional.items() if value is not None})
        return values


SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in (
    ServiceSpec("weather", api_key="grading-key-weather-4d1c"),          # retries, keys, a healthy dependency
    ServiceSpec("billing"),                                              # a failed POST is not replayed
    ServiceSpec("fragile", timeout=2.0, threshold=3, reset=2.0, healthy=False),   # circuit breaker (Exercise 1)
    ServiceSpec("stall", stubs=("slow",)),                               # responsiveness while a call waits
    ServiceSpec("slow", stubs=("slow",), timeout=1.0),                   # per-service timeout
    ServiceSpec("catalog", stubs=("main", "second"), api_key="grading-key-catalog-9e2b"),   # load balancing
    ServiceSpec("search", stubs=("doomed", "main")),                     # failover: the first instance dies
    ServiceSpec("inventory", stubs=("main", "second"), threshold=3, reset=2.0, healthy=False),  # breaker (Ex. 2)
    ServiceSpec("ghost", stubs=("closed",), timeout=1.0, healthy=False),  # a dependency that is down
    ServiceSpec("user-service"),
    ServiceSpec("order-service"),
    ServiceSpec("payment-service", api_key="grading-key-payment-61fa"),
)}


def base_env(database_url: str, *, log_level: str = "DEBUG") -> dict[str, str]:
    """The variables every instance gets (no services)."""
    return {"MCP_SERVER_NAME": SERVER_NAME, "MCP_LOG_LEVEL": log_level, "DATABASE_URL": database_url,
            "MCP_DB_ALLOW_WRITES": "true", "JWT_SECRET": JWT_SECRET}


def services_env(stub_urls: Mapping[str, str]) -> dict[str, str]:
    """The variables that configure every fake service."""
    env: dict[str, str] = {}
    for spec in SERVICES.values():
        env.update(spec.env(stub_urls))
    return env


def grader_jwt(secret: str = JWT_SECRET, now: int | None = None) -> str:
    """An HS256 JWT (``sub: mcptest-grader``, valid for an hour) for servers that protect /mcp with JWT_SECRET."""
    import base64
    import hashlib
    import hmac
    import json
    import time

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    issued = int(time.time() if now is None else now)
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = b64(json.dumps({"sub": "mcptest-grader", "iat": issued, "exp": issued + 3600},
                            separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"
