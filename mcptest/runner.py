"""Run checks against one target: discovery once, each check to a Finding, nothing left running."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from typing import Any

from mcptest.checks import CHECKS, Check, CheckContext
from mcptest.connect import ServerHandle, target_from_settings
from mcptest.discovery import DiscoveryError, Surface, discover
from mcptest.findings import Finding, NotApplicable, Violation
from mcptest.launch.process import LaunchError
from mcptest.settings import Settings
from mcptest.spec.requirements import requirement
from mcptest.spec.versions import LATEST_HANDSHAKE
from mcptest.target import TargetError
from mcptest.wire import RequestTimeout, WireError
from mcptest.wire.stdio import ServerGone

SCOPE_KIND = {"tool": "tools", "resource": "resources", "template": "templates", "prompt": "prompts"}


def item_key(check: Check, item: dict[str, Any] | None) -> str:
    """The per-item part of a test id: the tool/prompt name or resource URI."""
    if item is None:
        return ""
    return str(item.get("name") if check.scope in ("tool", "prompt") else item.get("uri", item.get("uriTemplate")))


@dataclass
class SuiteRun:
    """One target under test: its handle, surface, check context and the findings so far."""

    settings: Settings
    handle: ServerHandle | None = None
    surface: Surface | None = None
    ctx: CheckContext | None = None
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def start(cls, settings: Settings) -> SuiteRun:
        """Start (or reach) the target and discover it; a failure is kept in ``error``, never raised."""
        run = cls(settings)
        try:
            run.handle = ServerHandle(target_from_settings(settings), settings, cwd=os.getcwd())
            run.handle.start()
            wire = run.handle.open()
            run.surface = discover(wire, LATEST_HANDSHAKE if settings.protocol == "auto" else settings.protocol)
            run.ctx = CheckContext(run.handle, run.surface)
            run.ctx._shared = wire  # reuse the discovery connection as the shared one
        except (LaunchError, DiscoveryError, TargetError, WireError) as exc:
            run.error = str(exc)
            run.close_handle()
        return run

    def planned(self, area: str) -> list[tuple[Check, dict[str, Any] | None]]:
        """Every (check, item) of ``area`` for this target, in a stable order."""
        result: list[tuple[Check, dict[str, Any] | None]] = []
        transport = self.ctx.transport if self.ctx is not None else None
        for check in CHECKS:
            wanted = check.requirement.transports
            if check.area != area or (transport and wanted and transport not in wanted):
                continue
            if check.scope == "server":
                result.append((check, None))
            elif self.surface is not None:
                result.extend((check, item) for item in self.surface.items(SCOPE_KIND[check.scope]))
        return result

    def execute(self, check: Check, item: dict[str, Any] | None) -> tuple[Finding, Violation | None]:
        """Run one check and turn what happened into a Finding (plus the Violation, if any)."""
        key = item_key(check, item)
        if self.ctx is None:
            return self._finding(check, key, "n/a", f"not run: the server could not be started: {self.error}"), None
        transports = check.requirement.transports
        if transports and self.ctx.transport not in transports:
            return self._finding(check, key, "n/a", f"only for {'/'.join(transports)} servers"), None
        try:
            check.func(self.ctx, item) if item is not None else check.func(self.ctx)
        except NotApplicable as exc:
            return self._finding(check, key, "n/a", exc.reason), None
        except Violation as violation:
            outcome = "fail" if violation.level == "MUST" or self.settings.strict else "warn"
            return self._finding(check, key, outcome, violation=violation), violation
        except ServerGone as exc:
            return self._crash(check, key, str(exc))
        except RequestTimeout as exc:
            return self._silence(check, key, exc)
        except (WireError, DiscoveryError) as exc:
            return self._crash(check, key, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in one check must not end the run
            trace = "".join(traceback.format_exception(exc)[-6:])
            message = f"mcptest internal error in check {check.id}: {type(exc).__name__}: {exc}\n{trace}"
            return self._finding(check, key, "error", message), None
        return self._finding(check, key, "pass"), None

    def _crash(self, check: Check, key: str, why: str) -> tuple[Finding, Violation]:
        assert self.ctx is not None
        target = f"{check.id}{f' on {key}' if key else ''}"
        violation = self.ctx.violation("SERVER-ALIVE", f"an answer during check {target}", why, check_id=check.id)
        return self._finding(check, key, "fail", violation=violation), violation

    def _silence(self, check: Check, key: str, exc: RequestTimeout) -> tuple[Finding, Violation]:
        """A request the check sent went unanswered while the server kept running: the check's own finding."""
        assert self.ctx is not None
        violation = self.ctx.violation(check.id, f"an answer within {exc.timeout:g} s", f"{exc} (raise --mcp-timeout if the server is only slow)", sent=exc.sent)
        outcome = "fail" if violation.level == "MUST" or self.settings.strict else "warn"
        return self._finding(check, key, outcome, violation=violation), violation

    def _finding(self, check: Check, key: str, outcome: str, reason: str = "", violation: Violation | None = None) -> Finding:
        req = violation.requirement if violation is not None else requirement(check.id)
        version = self.surface.version if self.surface else ""
        evidence = {}
        if violation is not None:
            evidence = {"expected": violation.expected, "actual": violation.actual, "sent": violation.sent,
                        "reproduce": violation.reproduce, "details": violation.details}
        finding = Finding(
            check=check.id,
            requirement=req.id,
            level=req.level,
            outcome=outcome,  # type: ignore[arg-type]
            version=version,
            target=self.settings.server or "",
            item=key,
            reason=reason,
            text=req.text,
            url=req.url(version or None),
            **evidence,
        )
        self.findings.append(finding)
        return finding

    def close_handle(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def close(self) -> None:
        """Close every connection and stop every process of this run."""
        if self.ctx is not None:
            self.ctx.close()
        self.close_handle()


AREAS = ("lifecycle", "jsonrpc", "utilities", "tools", "resources", "prompts", "stdio", "http", "fuzz")


def run_all(settings: Settings, areas: tuple[str, ...] = AREAS) -> SuiteRun:
    """Run every planned check of ``areas`` without pytest (the CLI's grading and our own tests use it).

    The caller closes the run; its ``findings`` hold every outcome, and ``error`` says when the
    server could not be started (then no check ran).
    """
    run = SuiteRun.start(settings)
    if run.error is None:
        for area in areas:
            for check, item in run.planned(area):
                run.execute(check, item)
    return run
