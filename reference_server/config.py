"""Typed server configuration: packaged defaults, per-environment files, a user file and environment overrides."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reference_server import _configparse

CONFIG_DIR = Path(__file__).parent / "config"
REDACTED = "***"
ENVIRONMENTS = ("dev", "prod", "conformance")


class ConfigError(ValueError):
    """Raised when configuration is invalid; the message lists every bad key with how to fix it."""

    def __init__(self, problems: list[str], source: str = "configuration") -> None:
        self.problems = list(problems)
        bullet = "\n  - ".join(self.problems)
        super().__init__(f"Invalid {source}:\n  - {bullet}")


@dataclass(frozen=True)
class RetryConfig:
    """Retry policy for outbound calls to one service."""

    max_attempts: int = 3
    backoff_base_s: float = 0.2
    backoff_max_s: float = 5.0
    retry_non_idempotent: bool = False


@dataclass(frozen=True)
class CircuitConfig:
    """Circuit breaker thresholds for one service."""

    failure_threshold: int = 5
    reset_timeout_s: float = 30.0


@dataclass(frozen=True)
class ServiceConfig:
    """One external HTTP service, possibly served by several instances."""

    name: str
    base_urls: tuple[str, ...]
    api_key: str | None = None
    timeout_s: float = 10.0
    health_path: str = "/health"
    retry: RetryConfig = field(default_factory=RetryConfig)
    circuit: CircuitConfig = field(default_factory=CircuitConfig)


@dataclass(frozen=True)
class DatabaseConfig:
    """Database connection and query policy."""

    url: str = "sqlite:///:memory:"
    pool_min: int = 1
    pool_max: int = 10
    allow_writes: bool = False
    row_limit: int = 1000
    statement_timeout_ms: int = 5000


@dataclass(frozen=True)
class SecurityConfig:
    """Bearer-token (JWT) authentication for the HTTP transport; off when no secret is set."""

    jwt_secret: str | None = None
    jwt_algorithms: tuple[str, ...] = ("HS256",)
    jwt_audience: str | None = None
    jwt_issuer: str | None = None


@dataclass(frozen=True)
class HttpConfig:
    """Streamable HTTP transport settings."""

    host: str = "127.0.0.1"
    port: int = 8000
    allowed_hosts: tuple[str, ...] = ("127.0.0.1:*", "localhost:*", "[::1]:*")
    allowed_origins: tuple[str, ...] = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
    resumable: bool = True
    json_response: bool = False


@dataclass(frozen=True)
class OrdersConfig:
    """Which configured services the order workflow calls."""

    user_service: str = "users"
    order_service: str = "orders"
    payment_service: str = "payments"


@dataclass(frozen=True)
class ServerConfig:
    """The whole, validated server configuration."""

    name: str = "mcp-reference-server"
    version: str = "1.0.0"
    environment: str = "default"
    log_level: str = "INFO"
    debug: bool = False
    page_size: int = 10
    conformance: bool = False
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    services: Mapping[str, ServiceConfig] = field(default_factory=dict)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    orders: OrdersConfig = field(default_factory=OrdersConfig)

    def to_dict(self, *, include_secrets: bool = False) -> dict[str, Any]:
        """Plain-data form of the config, suitable for YAML/JSON.

        Args:
            include_secrets: When False (the default), API keys, the JWT secret and database
                passwords are replaced by ``"***"`` so the result is safe to log or show.
        """
        return _configparse.to_plain(self, redact=None if include_secrets else REDACTED)


def _read_file(path: Path) -> dict[str, Any]:
    """Read one YAML or JSON config file into a mapping."""
    if not path.is_file():
        raise ConfigError([f"file {path} does not exist; pass an existing .yaml/.yml/.json file"])
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError([f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}"]) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: the top level must be a mapping of keys, got {type(data).__name__}"])
    return data


def load_config(
    path: str | Path | None = None,
    *,
    environment: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ServerConfig:
    """Load the effective configuration.

    Layers, later wins (mappings are deep-merged): built-in defaults, the packaged
    ``config/<environment>.yaml`` (environment from the argument or ``MCP_ENVIRONMENT``),
    the file at ``path``, then environment variables (``MCP_SERVER_NAME``, ``MCP_LOG_LEVEL``,
    ``DATABASE_URL``, ``API_KEY_<SERVICE>``, ``SERVICE_URLS_<SERVICE>``, ``JWT_SECRET``, ...).

    Args:
        path: Optional YAML/JSON file.
        environment: Named environment whose packaged file to apply (``dev``, ``prod``, ...).
        env: Environment variables to read; defaults to ``os.environ``.

    Raises:
        ConfigError: Listing every invalid key, with the expected form.
    """
    env = os.environ if env is None else env
    environment = environment or env.get("MCP_ENVIRONMENT") or None
    merged: dict[str, Any] = {}
    if environment:
        env_file = CONFIG_DIR / f"{environment}.yaml"
        if not env_file.is_file():
            known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))
            raise ConfigError([f"environment {environment!r} has no file {env_file.name}; known: {known}"])
        merged = _configparse.deep_merge(merged, _read_file(env_file))
        merged.setdefault("environment", environment)
    if path is not None:
        merged = _configparse.deep_merge(merged, _read_file(Path(path)))
    merged = _configparse.deep_merge(merged, _configparse.env_overrides(env))
    merged = _configparse.deep_merge(merged, service_tuning(env, merged.get("services")))
    return config_from_dict(merged)


# Per-service tuning variables (the suffix names the service as in SERVICE_URLS_<SERVICE>) -> config keys.
SERVICE_TUNING_ENV: dict[str, tuple[str, ...]] = {
    "SERVICE_TIMEOUT_": ("timeout_s",),
    "SERVICE_RETRY_DELAY_": ("retry", "backoff_base_s"),
    "CIRCUIT_FAILURE_THRESHOLD_": ("circuit", "failure_threshold"),
    "CIRCUIT_RESET_TIMEOUT_": ("circuit", "reset_timeout_s"),
}


def service_tuning(env: Mapping[str, str], services: Any) -> dict[str, Any]:
    """``SERVICE_TIMEOUT_<S>``, ``SERVICE_RETRY_DELAY_<S>``, ``CIRCUIT_FAILURE_THRESHOLD_<S>`` and
    ``CIRCUIT_RESET_TIMEOUT_<S>`` as config overrides, for services that are configured (file or env)."""
    known = {str(name).upper().replace("-", "_"): str(name) for name in (services or {})}
    tuned: dict[str, Any] = {}
    for var, value in env.items():
        for prefix, path in SERVICE_TUNING_ENV.items():
            service = known.get(var[len(prefix):]) if var.startswith(prefix) and value else None
            if service is None:
                continue
            node = tuned.setdefault("services", {}).setdefault(service, {})
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
    return tuned


def config_from_dict(data: Mapping[str, Any]) -> ServerConfig:
    """Validate a plain mapping (as read from YAML/JSON) into a ``ServerConfig``.

    Raises:
        ConfigError: Listing every invalid or unknown key.
    """
    problems: list[str] = []
    config = _configparse.build(data, problems)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def save_config(config: ServerConfig, path: str | Path, *, include_secrets: bool = False) -> Path:
    """Write the config as YAML (``.yaml``/``.yml``) or JSON (``.json``).

    Args:
        config: The configuration to write.
        path: Destination file; its suffix picks the format.
        include_secrets: Write real secrets instead of omitting them (off by default so saved files
            are safe to commit; secrets then come from the environment).

    Raises:
        ConfigError: If the suffix is not one of the supported formats.
    """
    target = Path(path)
    data = _configparse.to_plain(config, redact=None if include_secrets else _configparse.OMIT)
    if target.suffix in (".yaml", ".yml"):
        target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    elif target.suffix == ".json":
        target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    else:
        raise ConfigError([f"cannot save to {target.name}: use a .yaml, .yml or .json file name"])
    return target
