"""What reports are made from: one run's Findings and what the run knows about the server, mergeable across workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcptest.findings import Finding

if TYPE_CHECKING:
    from mcptest.runner import SuiteRun


@dataclass
class RunReport:
    """The Findings of a run against one target, and what the reports say about the server.

    Attributes:
        target: the server as the user named it.
        server: its ``serverInfo`` (name, version, ...).
        versions: the protocol versions checked.
        skipped: every other known version, with why it was not checked.
        error: why nothing could be checked, when that happened.
        restarts: how often the server died and was restarted.
        findings: one Finding per planned case, in plan order.
    """

    target: str | None
    server: dict[str, Any] | None = None
    versions: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    restarts: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def server_name(self) -> str:
        return str((self.server or {}).get("name", "?"))

    @property
    def version(self) -> str | None:
        """The newest version checked (None when none was)."""
        return self.versions[-1] if self.versions else None

    @classmethod
    def from_run(cls, run: SuiteRun, findings: list[Finding] | None = None) -> RunReport:
        """The report of a run in this process (``findings`` default to the run's own)."""
        states = run.coverage.states if run.coverage is not None else {}
        server = next((s.surface.server_info for _, s in sorted(states.items(), reverse=True)
                       if s.surface.server_info), None)
        return cls(
            target=run.settings.server,
            server=server,
            versions=run.versions,
            skipped=run.skipped,
            error=run.error,
            restarts=run.restarts,
            findings=list(run.findings if findings is None else findings),
        )

    def meta(self) -> dict[str, Any]:
        """Everything but the findings, as plain data (xdist workers send it to the controller)."""
        return {"target": self.target, "server": self.server, "versions": self.versions, "skipped": self.skipped,
                "error": self.error, "restarts": self.restarts}

    def merge_meta(self, data: dict[str, Any]) -> None:
        """Add what another worker knew about the server (``meta`` form)."""
        self.target = self.target or data.get("target")
        self.server = self.server or data.get("server")
        self.versions = sorted(set(self.versions) | set(data.get("versions") or []))
        for version, why in (data.get("skipped") or {}).items():
            if version not in self.versions:
                self.skipped.setdefault(version, why)
        self.skipped = {v: why for v, why in self.skipped.items() if v not in self.versions}
        self.error = self.error or data.get("error")
        self.restarts += int(data.get("restarts") or 0)

    def as_json(self) -> dict[str, Any]:
        """The whole report as a JSON-ready document."""
        from collections import Counter

        return {**self.meta(), "counts": dict(Counter(f.outcome for f in self.findings)),
                "findings": [f.as_dict() for f in self.findings]}
