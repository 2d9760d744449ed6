"""SARIF 2.1.0 for a run (GitHub code scanning): one rule per requirement, one result per finding."""

from __future__ import annotations

import hashlib
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mcptest.findings import Finding
from mcptest.report.baseline import Baseline, expected_entry
from mcptest.report.model import RunReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://modelcontextprotocol.io/specification"
KIND = {"fail": "fail", "warn": "fail", "info": "informational", "pass": "pass", "n/a": "notApplicable",
        "error": "review"}
LEVEL = {"fail": "error", "warn": "warning", "info": "note"}
RULE_LEVEL = {"MUST": "error", "MUST NOT": "error", "SHOULD": "warning", "SHOULD NOT": "warning"}
FALLBACK_ARTIFACT = "mcp-server"
"""Where results point when the target names no file of the project: GitHub wants a location on each."""


def target_artifact(target: str | None, root: str | Path | None = None) -> str:
    """The project file a target runs (``python srv/app.py`` -> ``srv/app.py``), relative to ``root``.

    Results need a location for GitHub to show them; the server's own script is the most useful one.
    Falls back to ``mcp-server`` for URLs, images and commands that name no file under ``root``.
    """
    base = Path(root or os.getcwd()).resolve()
    try:
        words = shlex.split(target or "")
    except ValueError:
        words = (target or "").split()
    candidates: list[str] = []
    for before, word in zip(["", *words], words):
        if before == "-m":  # python -m package.module: the module's file, or the package's __main__.py
            module = word.replace(".", "/")
            candidates += [f"{module}.py", f"{module}/__main__.py"]
        else:
            candidates.append(word)
    for word in candidates:
        candidate = (base / word).resolve()
        if candidate.is_file() and candidate.is_relative_to(base):
            return candidate.relative_to(base).as_posix()
    return FALLBACK_ARTIFACT


def _rule(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.requirement,
        "name": finding.requirement.replace("-", ""),
        "shortDescription": {"text": f"{finding.requirement} ({finding.level})"},
        "fullDescription": {"text": finding.text or finding.requirement},
        "helpUri": finding.url or INFORMATION_URI,
        "help": {"text": f"{finding.level}: {finding.text}\nSpec: {finding.url}"},
        "defaultConfiguration": {"level": RULE_LEVEL.get(finding.level, "note")},
        "properties": {"mcp-level": finding.level, "tags": ["mcp", finding.area.lower()]},
    }


def _message(finding: Finding) -> str:
    where = f" [{finding.item}]" if finding.item else ""
    if finding.outcome in ("fail", "warn", "info"):
        text = f"{finding.requirement}{where} {finding.level}: expected {finding.expected}; got {finding.actual}"
        return text + (f"\nReproduce: {finding.reproduce}" if finding.reproduce else "")
    if finding.outcome == "pass":
        return f"{finding.requirement}{where}: passed"
    return f"{finding.requirement}{where} {finding.outcome}: {finding.reason}"


def _result(finding: Finding, index: int, artifact: str, baseline: Baseline | None) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{finding.target}\0{finding.key}".encode()).hexdigest()[:32]
    properties = {key: value for key, value in (
        ("protocolVersion", finding.version), ("item", finding.item), ("transport", finding.transport),
        ("outcome", finding.outcome), ("expected", finding.expected), ("actual", finding.actual),
        ("sent", finding.sent), ("reproduce", finding.reproduce), ("reason", finding.reason)) if value}
    result: dict[str, Any] = {
        "ruleId": finding.requirement,
        "ruleIndex": index,
        "kind": KIND[finding.outcome],
        "level": LEVEL.get(finding.outcome, "none"),
        "message": {"text": _message(finding)},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": artifact, "uriBaseId": "%SRCROOT%"},
                                 "region": {"startLine": 1}},
            "logicalLocations": [{"name": finding.item or finding.target or "server",
                                  "fullyQualifiedName": f"{finding.target}::{finding.key}", "kind": "member"}],
        }],
        "partialFingerprints": {"mcptestFinding/v1": fingerprint},
        "properties": properties,
    }
    if baseline is not None and finding.outcome in ("fail", "warn"):
        entry = expected_entry(finding, baseline)
        result["baselineState"] = "unchanged" if entry is not None else "new"
        if entry is not None:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": f"{entry.reason} ({baseline.where(entry)})"}]
    return result


def sarif_log(report: RunReport, *, tool_version: str, artifact: str = FALLBACK_ARTIFACT,
              baseline: Baseline | None = None, srcroot: Path | None = None) -> dict[str, Any]:
    """The run as a SARIF 2.1.0 log (a JSON-ready dict).

    Args:
        report: the run's findings.
        tool_version: mcptest's version, for the driver.
        artifact: the file every result points at (see ``target_artifact``).
        baseline: when given, listed findings carry a suppression with the baseline's reason and every
            failing result a ``baselineState`` (``unchanged`` for listed ones, ``new`` otherwise).
        srcroot: the directory ``artifact`` is relative to (``%SRCROOT%``), when known.
    """
    findings: Sequence[Finding] = report.findings
    rules: dict[str, dict[str, Any]] = {}
    for finding in findings:
        rules.setdefault(finding.requirement, _rule(finding))
    order = {rule_id: index for index, rule_id in enumerate(rules)}
    notifications = [{"level": "error", "message": {"text": f"the server could not be started: {report.error}"}}] \
        if report.error else []
    notifications += [{"level": "error", "message": {"text": f"mcptest error in {f.key}: {f.reason.splitlines()[0]}"}}
                      for f in findings if f.outcome == "error" and f.reason]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mcptest", "version": tool_version, "semanticVersion": tool_version,
                                "informationUri": INFORMATION_URI, "rules": list(rules.values())}},
            "invocations": [{"executionSuccessful": report.error is None,
                             "toolExecutionNotifications": notifications}],
            **({"originalUriBaseIds": {"%SRCROOT%": {"uri": srcroot.resolve().as_uri() + "/"}}} if srcroot else {}),
            "results": [_result(f, order[f.requirement], artifact, baseline) for f in findings],
            "properties": {"target": report.target or "", "server": report.server or {},
                           "protocolVersion": report.version or ""},
        }],
    }
