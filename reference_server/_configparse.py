"""Validation of plain config mappings into typed dataclasses, env-variable overrides and redaction."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from reference_server import config as cfg

OMIT = object()
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

# Environment variable -> dotted config key. Values are strings and are coerced like file values.
ENV_KEYS: dict[str, str] = {
    "MCP_SERVER_NAME": "name",
    "MCP_SERVER_VERSION": "version",
    "MCP_ENVIRONMENT": "environment",
    "MCP_LOG_LEVEL": "log_level",
    "MCP_DEBUG": "debug",
    "MCP_PAGE_SIZE": "page_size",
    "MCP_CONFORMANCE": "conformance",
    "DATABASE_URL": "database.url",
    "MCP_DB_ALLOW_WRITES": "database.allow_writes",
    "MCP_DB_ROW_LIMIT": "database.row_limit",
    "MCP_DB_STATEMENT_TIMEOUT_MS": "database.statement_timeout_ms",
    "JWT_SECRET": "security.jwt_secret",
    "JWT_AUDIENCE": "security.jwt_audience",
    "JWT_ISSUER": "security.jwt_issuer",
    "MCP_HTTP_HOST": "http.host",
    "MCP_HTTP_PORT": "http.port",
    "MCP_ALLOWED_HOSTS": "http.allowed_hosts",
    "MCP_ALLOWED_ORIGINS": "http.allowed_origins",
}
SERVICE_ENV_PREFIXES = {"API_KEY_": "api_key", "SERVICE_URLS_": "base_urls"}


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated by ``override``; nested mappings merge key by key, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    """Translate recognised environment variables into a nested config mapping."""
    result: dict[str, Any] = {}
    for var, dotted in ENV_KEYS.items():
        if env.get(var):
            node = result
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = env[var]
    for var, value in env.items():
        for prefix, key in SERVICE_ENV_PREFIXES.items():
            if var.startswith(prefix) and len(var) > len(prefix) and value:
                service = var[len(prefix) :].lower().replace("_", "-")
                result.setdefault("services", {}).setdefault(service, {})[key] = value
    return result


def _coerce(value: Any, hint: Any, key: str, problems: list[str]) -> Any:
    """Coerce one scalar/tuple value to ``hint`` or record a problem naming ``key``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _coerce(value, inner, key, problems)
    if origin is tuple:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.append(f"{key}: expected a list of strings (or a comma-separated string), got {value!r}")
            return None
        return tuple(value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        problems.append(f"{key}: expected true or false, got {value!r}")
        return None
    if hint in (int, float):
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = hint(value.strip())
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (hint is int and isinstance(value, float)):
            problems.append(f"{key}: expected {'an integer' if hint is int else 'a number'}, got {value!r}")
            return None
        return hint(value)
    if hint is str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            problems.append(f"{key}: expected a string, got {value!r}")
            return None
        return value
    raise TypeError(f"unsupported config field type {hint!r} for {key}")


def _build_dataclass(cls: type, data: Any, prefix: str, problems: list[str], **fixed: Any) -> Any:
    """Build dataclass ``cls`` from ``data``, recording unknown keys and bad values under ``prefix``."""
    where = prefix or "the top level"
    if not isinstance(data, Mapping):
        problems.append(f"{where}: expected a mapping of keys, got {data!r}")
        return None
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in fixed]
    for key in data:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(names)}"
            problems.append(f"{prefix + '.' if prefix else ''}{key}: unknown key{hint}")
    values: dict[str, Any] = dict(fixed)
    before = len(problems)
    for name in names:
        if name not in data:
            continue
        key = f"{prefix}.{name}" if prefix else name
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            values[name] = _build_dataclass(typing.cast(type, hint), data[name], key, problems)
        elif name == "services":
            values[name] = _build_services(data[name], key, problems)
        else:
            values[name] = _coerce(data[name], hint, key, problems)
    return cls(**values) if len(problems) == before else None


def _build_services(data: Any, prefix: str, problems: list[str]) -> dict[str, cfg.ServiceConfig]:
    if not isinstance(data, Mapping):
        problems.append(f"{prefix}: expected a mapping of service name to settings, got {data!r}")
        return {}
    services: dict[str, cfg.ServiceConfig] = {}
    for name, raw in data.items():
        key = f"{prefix}.{name}"
        if isinstance(raw, Mapping) and "base_url" in raw:
            raw = {**{k: v for k, v in raw.items() if k != "base_url"}, "base_urls": [raw["base_url"]]}
        if isinstance(raw, Mapping) and not raw.get("base_urls"):
            env_name = str(name).upper().replace("-", "_")
            problems.append(
                f"{key}.base_urls: required (a list of URLs); set it in the config file or SERVICE_URLS_{env_name}"
            )
            continue
        service = _build_dataclass(cfg.ServiceConfig, raw, key, problems, name=str(name))
        if service is not None:
            services[str(name)] = service
    return services


def _check_ranges(config: cfg.ServerConfig, problems: list[str]) -> None:
    """Cross-field and range checks that types alone cannot express."""
    db, http = config.database, config.http
    checks: list[tuple[bool, str]] = [
        (bool(config.name.strip()), "name: must not be empty"),
        (bool(config.version.strip()), "version: must not be empty"),
        (config.log_level.upper() in LOG_LEVELS, f"log_level: must be one of {', '.join(LOG_LEVELS)}"),
        (1 <= config.page_size <= 1000, "page_size: must be between 1 and 1000"),
        (
            urlsplit(db.url).scheme in ("sqlite", "postgresql", "postgres"),
            f"database.url: use sqlite:///PATH, sqlite:///:memory: or postgresql://USER@HOST/DB, got {db.url!r}",
        ),
        (1 <= db.pool_min <= db.pool_max, "database.pool_min/pool_max: need 1 <= pool_min <= pool_max"),
        (1 <= db.row_limit <= 100_000, "database.row_limit: must be between 1 and 100000"),
        (100 <= db.statement_timeout_ms <= 600_000, "database.statement_timeout_ms: must be 100..600000"),
        (0 <= http.port <= 65535, "http.port: must be 0..65535"),
        (bool(config.security.jwt_algorithms), "security.jwt_algorithms: list at least one algorithm"),
        (
            config.security.jwt_secret is None or len(config.security.jwt_secret) >= 32,
            "security.jwt_secret (JWT_SECRET): use at least 32 characters for HMAC signing (RFC 7518 §3.2)",
        ),
    ]
    for name, service in config.services.items():
        key = f"services.{name}"
        for url in service.base_urls:
            checks.append((urlsplit(url).scheme in ("http", "https"), f"{key}.base_urls: {url!r} is not http(s)"))
        checks.append((service.timeout_s > 0, f"{key}.timeout_s: must be > 0"))
        checks.append((1 <= service.retry.max_attempts <= 10, f"{key}.retry.max_attempts: must be 1..10"))
        checks.append((service.retry.backoff_base_s >= 0, f"{key}.retry.backoff_base_s: must be >= 0"))
        checks.append((service.circuit.failure_threshold >= 1, f"{key}.circuit.failure_threshold: must be >= 1"))
        checks.append((service.circuit.reset_timeout_s > 0, f"{key}.circuit.reset_timeout_s: must be > 0"))
    problems.extend(message for ok, message in checks if not ok)


def build(data: Mapping[str, Any], problems: list[str]) -> cfg.ServerConfig | None:
    """Validate ``data`` into a ``ServerConfig``, appending human-readable problems."""
    config = _build_dataclass(cfg.ServerConfig, data, "", problems)
    if config is None:
        return None
    config = dataclasses.replace(config, log_level=config.log_level.upper())
    _check_ranges(config, problems)
    return None if problems else config


def _redact_url(url: str, replacement: Any) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    secret = "" if replacement is OMIT else str(replacement)
    netloc = f"{parts.username or ''}:{secret}@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def to_plain(config: cfg.ServerConfig, *, redact: Any) -> dict[str, Any]:
    """Convert to plain data; ``redact`` is None (keep secrets), OMIT (drop them) or a replacement string."""

    def convert(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {
                f.name: convert(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name != "name" or not isinstance(value, cfg.ServiceConfig)
            }
        if isinstance(value, Mapping):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return list(value)
        return value

    data = convert(config)
    if redact is None:
        return data
    data["database"]["url"] = _redact_url(config.database.url, redact)
    secrets = [data["security"], *data["services"].values()]
    for holder in secrets:
        for key in ("jwt_secret", "api_key"):
            if holder.get(key) is not None:
                if redact is OMIT:
                    holder.pop(key)
                else:
                    holder[key] = redact
    return data
