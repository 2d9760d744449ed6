"""Prometheus rule files: the rule-file format checked key by key, every ``expr`` parsed as PromQL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
GROUP_KEYS = {"name", "interval", "limit", "query_offset", "labels", "rules"}
ALERT_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
RECORD_KEYS = {"record", "expr", "labels"}
ERROR_METRIC = re.compile(r"error|fail|exception|5xx", re.IGNORECASE)
STATUS_LABELS = {"status", "code", "status_code", "http_status", "response_code"}
AVAILABILITY_METRIC = re.compile(r"^(up|probe_success)$|availab|health|ready|replicas_available", re.IGNORECASE)
RATE_FUNCTIONS = {"rate", "irate", "increase"}


@dataclass(frozen=True)
class Expression:
    """What an ``expr`` reads: metric selectors (with label matchers), functions and binary operators."""

    selectors: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    functions: frozenset[str]
    operators: frozenset[str]

    @property
    def error_rate(self) -> bool:
        """Reads an error / 5xx series as a rate or a ratio."""
        errors = any(ERROR_METRIC.search(name or "") or any(label in STATUS_LABELS and value.startswith("5")
                                                            for label, value in matchers)
                     for name, matchers in self.selectors)
        return errors and ("/" in self.operators or bool(self.functions & RATE_FUNCTIONS))

    @property
    def availability(self) -> bool:
        """Reads ``up``, a probe or health metric, or asks whether a series is absent."""
        return bool(self.functions & {"absent", "absent_over_time"}) or any(
            AVAILABILITY_METRIC.search(name or "") for name, _ in self.selectors)


def parse_expression(text: str) -> Expression:
    """Parse PromQL (``ValueError`` with the parser's reason when it is not valid)."""
    import promql_parser

    tree = promql_parser.parse(text)
    selectors: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    functions: set[str] = set()
    operators: set[str] = set()

    def visit(node: Any) -> None:
        kind = type(node).__name__
        if kind == "VectorSelector":
            matchers = tuple((m.name, str(m.value)) for m in node.matchers.matchers) if node.matchers else ()
            name = node.name or next((value for label, value in matchers if label == "__name__"), "")
            selectors.append((name, matchers))
        elif kind == "Call":
            functions.add(node.func.name)
        elif kind == "BinaryExpr":
            operators.add(str(node.op))

    promql_parser.walk(tree, visit)
    return Expression(tuple(selectors), frozenset(functions), frozenset(operators))


def _duration(value: Any, where: str, problems: list[str]) -> None:
    import promql_parser

    try:
        promql_parser.parse_duration(str(value))
    except ValueError:
        problems.append(f"{where}: {value!r} is not a Prometheus duration (e.g. 5m, 1h30m)")


def _string_map(value: Any, where: str, problems: list[str], keys_are_labels: bool = True) -> None:
    if not isinstance(value, Mapping):
        problems.append(f"{where}: must be a mapping of names to strings")
        return
    for key, item in value.items():
        if keys_are_labels and not LABEL_NAME.match(str(key)):
            problems.append(f"{where}: {key!r} is not a valid label name")
        if not isinstance(item, str):
            problems.append(f"{where}.{key}: must be a string (quote it), got {item!r}")


def check_rule_file(document: Mapping[str, Any], where: str) -> tuple[list[str], list[tuple[str, Expression]]]:
    """Problems in one rule file, and its alerts with their parsed expressions."""
    problems: list[str] = []
    alerts: list[tuple[str, Expression]] = []
    problems += [f"{where}: unknown top-level key {key!r}" for key in document if key != "groups"]
    names: set[str] = set()
    for g_index, group in enumerate(document.get("groups") or []):
        at = f"{where} groups[{g_index}]"
        if not isinstance(group, Mapping):
            problems.append(f"{at}: must be a mapping")
            continue
        problems += [f"{at}: unknown key {key!r}" for key in group if key not in GROUP_KEYS]
        name = group.get("name")
        if not isinstance(name, str) or not name:
            problems.append(f"{at}: needs a name")
        elif name in names:
            problems.append(f"{at}: group name {name!r} is used twice")
        names.add(str(name))
        if "interval" in group:
            _duration(group["interval"], f"{at}.interval", problems)
        rules = group.get("rules")
        if not isinstance(rules, list):
            problems.append(f"{at}: rules must be a list")
            continue
        for r_index, rule in enumerate(rules):
            expression = _check_rule(rule, f"{at}.rules[{r_index}]", problems)
            if expression is not None and isinstance(rule, Mapping) and "alert" in rule:
                alerts.append((str(rule["alert"]), expression))
    return problems, alerts


def _check_rule(rule: Any, at: str, problems: list[str]) -> Expression | None:
    if not isinstance(rule, Mapping):
        problems.append(f"{at}: must be a mapping")
        return None
    if ("alert" in rule) == ("record" in rule):
        problems.append(f"{at}: needs exactly one of alert or record")
        return None
    allowed = ALERT_KEYS if "alert" in rule else RECORD_KEYS
    problems += [f"{at}: key {key!r} is not allowed in {'an alerting' if 'alert' in rule else 'a recording'} rule"
                 for key in rule if key not in allowed]
    if "record" in rule and not METRIC_NAME.match(str(rule["record"])):
        problems.append(f"{at}: record {rule['record']!r} is not a valid metric name")
    if "alert" in rule and not str(rule["alert"]).strip():
        problems.append(f"{at}: alert needs a name")
    for key in ("for", "keep_firing_for"):
        if key in rule:
            _duration(rule[key], f"{at}.{key}", problems)
    for key in ("labels", "annotations"):
        if key in rule:
            _string_map(rule[key], f"{at}.{key}", problems, keys_are_labels=key == "labels")
    expr = rule.get("expr")
    if not isinstance(expr, str | int | float) or isinstance(expr, bool) or not str(expr).strip():
        problems.append(f"{at}: needs an expr")
        return None
    try:
        return parse_expression(str(expr))
    except ValueError as exc:
        problems.append(f"{at}: expr is not valid PromQL ({exc}): {' '.join(str(expr).split())[:120]}")
        return None
