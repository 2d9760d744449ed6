"""One frozen Settings, resolved once. Precedence: marker > command line > ini > MCPTEST_* env > default."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from mcptest.spec.versions import KNOWN

PROTOCOL_CHOICES = ("auto", "all", *KNOWN)
"""``auto`` checks every era the server answers, each at the server's newest version in it; ``all`` also walks
every older handshake version the server accepts; a version checks just that one."""


class SettingsError(ValueError):
    """A setting has a bad value; the message names the setting, the value and what is valid."""


@dataclass(frozen=True)
class Option:
    """One user-facing setting: its CLI flag, ini key, env variable, default and parser."""

    name: str
    help: str
    default: Any
    parse: Callable[[str, str], Any]
    flag_kind: str = "value"  # "value", "flag" (store_true) or "append"
    metavar: str = "VALUE"

    @property
    def flag(self) -> str:
        return "--mcp-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "mcp_" + self.name

    @property
    def env(self) -> str:
        return "MCPTEST_" + self.name.upper()


def _text(name: str, value: str) -> str:
    return value.strip()


def _positive(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"--mcp-{name.replace('_', '-')}: {value!r} is not a number; "
                            "give seconds, e.g. 10") from None
    if not number > 0:
        raise SettingsError(f"--mcp-{name.replace('_', '-')}: must be greater than 0, got {value!r}")
    return number


def _count(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"--mcp-{name.replace('_', '-')}: {value!r} is not a whole number") from None
    if number < 0:
        raise SettingsError(f"--mcp-{name.replace('_', '-')}: must be 0 or more, got {value!r}")
    return number


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"mcp_{name}: {value!r} is not a boolean; use true or false")


def _protocol(name: str, value: str) -> str:
    value = value.strip()
    if value not in PROTOCOL_CHOICES:
        raise SettingsError(f"--mcp-protocol: {value!r} is not valid; choose from {', '.join(PROTOCOL_CHOICES)}")
    return value


def _workers(name: str, value: str) -> int:
    number = _count(name, value)
    if number < 1:
        raise SettingsError(f"--mcp-{name.replace('_', '-')}: must be at least 1, got {value!r}")
    return number


def _lines(name: str, value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.splitlines() if part.strip())


def _list(name: str, value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace("\n", ",").split(",") if part.strip())


OPTIONS: tuple[Option, ...] = (
    Option("server", "MCP server to test: a command (stdio), an http(s):// URL, docker:IMAGE or py:module:attr. "
           "Write --mcp-server=TARGET when TARGET is a path: pytest reads a separate path word as a test path "
           "and moves its rootdir there.", None, _text, metavar="TARGET"),
    Option("launch", "Command that starts an HTTP server before the run ({port} is replaced by a free port, "
           "in the URL too).", None, _text, metavar="CMD"),
    Option("docker_port", "Run a docker: target detached, this container port published on 127.0.0.1, "
           "and test it over streamable HTTP at /mcp.", None, _count, metavar="PORT"),
    Option("header", "Extra HTTP header 'Name: value' for HTTP targets (repeatable).", (), _lines, "append", "HEADER"),
    Option("timeout", "Seconds to wait for any one answer from the server "
           "(default 10).", 10.0, _positive, metavar="SECONDS"),
    Option("strict", "Treat SHOULD-level findings as failures (default: warnings).", False, _bool, "flag"),
    Option("progress_cap", "Hard cap in seconds on one request whose deadline progress notifications keep extending "
           "(default 60).", 60.0, _positive, metavar="SECONDS"),
    Option("concurrency", "Requests the suite keeps in flight at once on one connection "
           "(default 8; 1 runs checks one by one).", 8, _workers, metavar="N"),
    Option("protocol", "Protocol versions to check: "
           "auto (every era the server answers, at its newest version in each), "
           "all (also every older handshake version it accepts) or one of " + ", ".join(KNOWN) + ".",
           "auto", _protocol, metavar="auto|all|VERSION"),
    Option("call_unsafe", "Also call tools annotated destructiveHint or openWorldHint "
           "(skipped by default).", False, _bool, "flag"),
    Option("fuzz_examples", "Hypothesis examples per tool and property when fuzzing, spread over the protocol "
           "versions checked, each drawing its own (default 25; 0 turns fuzzing off).", 25, _count, metavar="N"),
    Option("fuzz_budget", "Seconds of fuzzing per tool and property (valid or invalid arguments), spread over "
           "the protocol versions checked (default 5).", 5.0, _positive, metavar="SECONDS"),
    Option("fuzz_all", "Also fuzz tools annotated destructiveHint or openWorldHint.", False, _bool, "flag"),
    Option("stateful", "Also drive stateful call sequences over the safe tools (STATE-*).", False, _bool, "flag"),
    Option("seed", "Seed for fuzzing; per-tool seeds derive from it "
           "(default: random, printed in the header).", None, _count, metavar="N"),
    Option("tools", "Only exercise tools whose names match these glob patterns "
           "(comma-separated).", (), _list, metavar="PATTERNS"),
    Option("skip_tools", "Never call tools whose names match these glob patterns "
           "(comma-separated).", (), _list, metavar="PATTERNS"),
    Option("report_json", "Write the findings as JSON to this file.", None, _text, metavar="FILE"),
    Option("report_html", "Write the findings as an HTML page to this file.", None, _text, metavar="FILE"),
    Option("report_sarif", "Write the findings as SARIF 2.1.0 "
           "(GitHub code scanning) to this file.", None, _text, metavar="FILE"),
    Option("baseline", "YAML file of accepted findings: listed ones are expected, new ones and stale entries fail "
           "(mcptest baseline TARGET writes one).", None, _text, metavar="FILE"),
)
BY_NAME = {o.name: o for o in OPTIONS}


@dataclass(frozen=True)
class Settings:
    """The effective configuration of one run (see OPTIONS for the meaning of each field)."""

    server: str | None = None
    launch: str | None = None
    docker_port: int | None = None
    header: tuple[str, ...] = ()
    timeout: float = 10.0
    strict: bool = False
    progress_cap: float = 60.0
    concurrency: int = 8
    protocol: str = "auto"
    call_unsafe: bool = False
    fuzz_examples: int = 25
    fuzz_budget: float = 5.0
    fuzz_all: bool = False
    stateful: bool = False
    seed: int | None = None
    tools: tuple[str, ...] = ()
    skip_tools: tuple[str, ...] = ()
    report_json: str | None = None
    report_html: str | None = None
    report_sarif: str | None = None
    baseline: str | None = None

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """A copy with marker-level overrides applied (the highest precedence)."""
        unknown = set(overrides) - {f.name for f in fields(self)}
        if unknown:
            raise SettingsError(f"unknown mcptest setting(s) {sorted(unknown)}; valid: {sorted(BY_NAME)}")
        return replace(self, **overrides)

    def header_lines(self) -> list[str]:
        """The effective settings, for the pytest report header."""
        parts = [f"timeout={self.timeout:g}s", f"progress-cap={self.progress_cap:g}s",
                 f"strict={'on' if self.strict else 'off'}", f"protocol={self.protocol}",
                 f"concurrency={self.concurrency}"]
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        parts.append(f"fuzz-examples={self.fuzz_examples} per tool and property over the versions checked")
        parts.append(f"fuzz-budget={self.fuzz_budget:g}s per tool and property over the versions checked")
        if self.stateful:
            parts.append("stateful=on")
        if self.baseline:
            parts.append(f"baseline={self.baseline}")
        lines = [f"mcptest: server={self.server or '(none)'}"]
        if self.launch:
            lines.append(f"mcptest: launch={self.launch}")
        lines.append("mcptest: " + ", ".join(parts))
        return lines


def resolve(
    cli: Mapping[str, Any],
    ini: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every option once: command line > ini > environment > default.

    Args:
        cli: values from the command line (None / empty when not given).
        ini: raw ini values (None / empty when not set).
        env: the environment (defaults to ``os.environ``).

    Raises:
        SettingsError: a value is invalid; the message says which and what is valid.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for option in OPTIONS:
        values[option.name] = _pick(option, cli.get(option.name), ini.get(option.name), env.get(option.env))
    return Settings(**values)


def _pick(option: Option, cli: Any, ini: Any, env: str | None) -> Any:
    if option.flag_kind == "append":
        for source in (cli, ini):
            if source:
                items = source if isinstance(source, (list, tuple)) else [source]
                return tuple(str(i).strip() for i in items if str(i).strip())
        return option.parse(option.name, env) if env else option.default
    if option.flag_kind == "flag" and cli:
        return True
    if option.flag_kind != "flag" and cli not in (None, ""):
        return option.parse(option.name, str(cli))
    if ini not in (None, "", []):
        return option.parse(option.name, ini if isinstance(ini, str) else str(ini))
    if env not in (None, ""):
        return option.parse(option.name, env)
    return option.default
