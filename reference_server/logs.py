"""Structured (JSON lines) logging to stderr at the configured level, with every configured secret masked."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from urllib.parse import urlsplit

from reference_server.config import REDACTED, ServerConfig


class SecretMask(logging.Filter):
    """Replace any configured secret that appears in a log message (or its arguments) with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            for secret in self._secrets:
                message = message.replace(secret, REDACTED)
            record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def secrets_of(config: ServerConfig) -> list[str]:
    """Every secret value the configuration holds."""
    values = [config.security.jwt_secret or ""]
    values += [service.api_key or "" for service in config.services.values()]
    values.append(urlsplit(config.database.url).password or "")
    return [v for v in values if v]


def configure_logging(config: ServerConfig) -> None:
    """Send all logs to stderr as JSON lines at ``config.log_level`` (stdout belongs to the stdio transport)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretMask(secrets_of(config)))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(config.log_level)
