"""Environment-specific configuration files: parse them, pair them up by kind, and compare the environments."""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcptest.grading.project.files import ENV_NAMES, Project, load_yaml_documents

SECRET_KEY = re.compile(r"(^|[_.-])(secret|password|passwd|api[_-]?key|token|private[_-]?key|credentials?)([_.-]|$)",
                        re.IGNORECASE)
REFERENCE = re.compile(r"^\s*(\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^>]*>|)\s*$")
URL_PASSWORD = re.compile(r"://[^/:@\s]+:([^@\s]+)@")
DEBUG_KEYS = {"debug", "mcp_debug"}
LEVEL_KEYS = {"log_level", "loglevel", "mcp_log_level", "level"}
TRUE = {"1", "true", "yes", "on"}


class ConfigParseError(ValueError):
    """A configuration file could not be read; the message names it."""


def parse(path: Path) -> dict[str, str]:
    """A config file flattened to ``dotted.key -> value as text``."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yaml", ".yml"):
            documents = load_yaml_documents(path)
            data: Any = documents[0] if len(documents) == 1 else {str(i): d for i, d in enumerate(documents)}
        elif path.suffix == ".json":
            data = json.loads(text)
        elif path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".ini":
            parser = configparser.ConfigParser()
            parser.read_string(text)
            data = {section: dict(parser[section]) for section in parser.sections()}
        else:
            data = dotenv(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the file's problem, reported with its name
        raise ConfigParseError(f"{path.name} does not parse: {' '.join(str(exc).split())[:200]}") from None
    return flatten(data)


def dotenv(text: str) -> dict[str, str]:
    """``KEY=value`` lines (``export`` and quotes allowed, ``#`` comments skipped)."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", key.strip()):
            raise ValueError(f"line {number} is not KEY=value: {raw!r}")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """Nested mappings and lists to dotted keys."""
    if isinstance(data, Mapping):
        out: dict[str, str] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(data, list):
        return {prefix: json.dumps(data, sort_keys=True, default=str)} if prefix else {}
    return {prefix: "" if data is None else str(data)} if prefix else {}


def kind_of(path: Path, root: Path) -> str:
    """The file with its environment word blanked: ``config/prod.yaml`` and ``config/dev.yaml`` are one kind."""
    parts = re.split(r"([._\-/]+)", path.relative_to(root).as_posix())
    return "".join("*" if part.lower() in ENV_NAMES else part for part in parts)


@dataclass(frozen=True)
class EnvConfigs:
    """Configuration files of one kind, one per environment, parsed."""

    kind: str
    files: dict[str, Path]
    values: dict[str, dict[str, str]]


def grouped(project: Project) -> tuple[list[EnvConfigs], list[str]]:
    """Kinds present in two or more environments, and the parse errors met on the way."""
    by_kind: dict[str, dict[str, Path]] = {}
    for environment, paths in project.env_files.items():
        for path in paths:
            by_kind.setdefault(kind_of(path, project.root), {})[environment] = path
    groups, errors = [], []
    for kind, files in sorted(by_kind.items()):
        if len(files) < 2:
            continue
        values = {}
        for environment, path in files.items():
            try:
                values[environment] = parse(path)
            except ConfigParseError as exc:
                errors.append(str(exc))
        if len(values) >= 2:
            groups.append(EnvConfigs(kind, files, values))
    return groups, errors


def secrets_in(values: Mapping[str, str]) -> list[str]:
    """Keys that hold a literal secret (not empty, not a ``${VAR}`` reference), or a URL with a password."""
    found = []
    for key, value in values.items():
        leaf = key.rsplit(".", 1)[-1]
        if SECRET_KEY.search(leaf) and not REFERENCE.match(value):
            found.append(key)
        match = URL_PASSWORD.search(value)
        if match and not REFERENCE.match(match.group(1)):
            found.append(f"{key} (a password inside the URL)")
    return found


def debug_settings(values: Mapping[str, str]) -> list[str]:
    """Keys that turn on debug mode or a DEBUG log level."""
    found = []
    for key, value in values.items():
        leaf = key.rsplit(".", 1)[-1].lower()
        if (leaf in DEBUG_KEYS and value.strip().lower() in TRUE) or (leaf in LEVEL_KEYS and value.upper() == "DEBUG"):
            found.append(f"{key}={value}")
    return found
