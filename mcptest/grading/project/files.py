"""Find a project's deployment files by what they contain, parsing YAML the way the tools that read them do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SKIP_DIRS = {"__pycache__", "node_modules", ".venv", "venv", "wheels", ".git", ".pytest_cache", ".mypy_cache"}
YAML_SUFFIXES = {".yaml", ".yml"}
ENV_NAMES = {"dev": "dev", "development": "dev", "local": "dev", "test": "test", "testing": "test",
             "staging": "staging", "stage": "staging", "qa": "staging", "prod": "prod",
             "production": "prod", "live": "prod"}
MAX_FILE_BYTES = 1_000_000


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 core-schema booleans: only true/false. PyYAML's 1.1 rules would turn a workflow's ``on:`` into True."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                   list("tTfF"))


def load_yaml_documents(path: Path) -> list[Any]:
    """Every document of a YAML file (YAML 1.2 booleans). Raises ``yaml.YAMLError`` on a syntax error."""
    return [doc for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=Yaml12Loader) if doc is not None]


@dataclass(frozen=True)
class YamlFile:
    """One parsed YAML file (``error`` set when it does not parse)."""

    path: Path
    documents: tuple[Any, ...] = ()
    error: str | None = None


@dataclass
class Project:
    """A project's files, grouped by what they are."""

    root: Path
    yaml_files: list[YamlFile] = field(default_factory=list)
    env_files: dict[str, list[Path]] = field(default_factory=dict)

    def relative(self, path: Path) -> str:
        """``path`` relative to the project (for messages)."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def documents(self) -> Iterator[tuple[YamlFile, Any]]:
        """Every parsed YAML document with its file."""
        for parsed in self.yaml_files:
            for document in parsed.documents:
                yield parsed, document

    def kubernetes(self) -> list[tuple[YamlFile, dict[str, Any]]]:
        """Documents with ``apiVersion`` and ``kind`` (not kustomizations)."""
        return [(f, d) for f, d in self.documents() if isinstance(d, dict) and "apiVersion" in d and "kind" in d
                and d.get("kind") != "Kustomization"]

    def workflows(self) -> list[tuple[YamlFile, dict[str, Any]]]:
        """CI workflows: files under ``.github/workflows`` and YAML documents with ``on:`` and ``jobs:``."""
        return [(f, d) for f, d in self.documents() if isinstance(d, dict) and "jobs" in d
                and ("on" in d or ".github/workflows" in f.path.as_posix())]

    def rule_files(self) -> list[tuple[YamlFile, dict[str, Any]]]:
        """Prometheus rule files: a top-level ``groups`` list of mappings with ``rules``."""
        return [(f, d) for f, d in self.documents() if isinstance(d, dict) and isinstance(d.get("groups"), list)
                and any(isinstance(g, dict) and "rules" in g for g in d["groups"])]

    def compose(self) -> tuple[Path, dict[str, Any]] | None:
        """The compose file at the project's top level, if any."""
        for name in ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"):
            path = self.root / name
            for parsed in self.yaml_files:
                if parsed.path == path and parsed.documents and isinstance(parsed.documents[0], dict):
                    return path, parsed.documents[0]
        return None


def environment_of(path: Path, root: Path) -> str | None:
    """The environment a configuration file is for, from its name or folder (``config/prod.yaml``, ``.env.dev``)."""
    tokens = re.split(r"[._\-/]+", path.relative_to(root).as_posix().lower())
    found = {ENV_NAMES[t] for t in tokens if t in ENV_NAMES}
    return found.pop() if len(found) == 1 else None


def scan(root: Path) -> Project:
    """Walk ``root`` (hidden folders except ``.github`` skipped) and parse what the grader reads."""
    project = Project(root.resolve())
    for path in sorted(_walk(project.root)):
        if path.stat().st_size > MAX_FILE_BYTES:
            continue
        if path.suffix in YAML_SUFFIXES:
            try:
                project.yaml_files.append(YamlFile(path, tuple(load_yaml_documents(path))))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                project.yaml_files.append(YamlFile(path, error=" ".join(str(exc).split())))
        if _is_config(path):
            environment = environment_of(path, project.root)
            if environment:
                project.env_files.setdefault(environment, []).append(path)
    return project


def _walk(root: Path) -> Iterator[Path]:
    for path in root.iterdir():
        if path.is_dir():
            if path.name in SKIP_DIRS or (path.name.startswith(".") and path.name != ".github"):
                continue
            yield from _walk(path)
        elif path.is_file():
            yield path


def _is_config(path: Path) -> bool:
    name = path.name.lower()
    if ".github" in path.parts or "workflows" in path.parts:
        return False
    return path.suffix in (*YAML_SUFFIXES, ".json", ".env", ".toml", ".ini") or name.startswith(".env")
