"""What reports are made from: one run's findings, or several xdist workers' findings merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcptest.findings import Finding

if TYPE_CHECKING:
    from mcptest.runner import SuiteRun


@dataclass
class RunReport:
    """The findings of a run against one target, with what the reports say about the server."""

    target: str | None
    server: dict[str, Any] | None = None
    version: str | None = None
    error: str | None = None
    restarts: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def server_name(self) -> str:
        return str((self.server or {}).get("name", "?"))

    @classmethod
    def from_run(cls, run: SuiteRun) -> RunReport:
        """The report of a run in this process."""
        surface = run.surface
        return cls(
            target=run.settings.server,
            server=surface.init.get("serverInfo") if surface else None,
            version=surface.version if surface else None,
            error=run.error,
            restarts=run.ctx.restarts if run.ctx is not None else 0,
            findings=list(run.findings),
        )

    def to_wire(self) -> dict[str, Any]:
        """A plain-data form an xdist worker can send to the controller."""
        return {"target": self.target, "server": self.server, "version": self.version, "error": self.error,
                "restarts": self.restarts, "findings": [f.as_dict() for f in self.findings]}

    def merge(self, data: dict[str, Any]) -> None:
        """Add a worker's report (``to_wire`` form) to this one."""
        self.server = self.server or data.get("server")
        self.version = self.version or data.get("version")
        self.error = self.error or data.get("error")
        self.restarts += int(data.get("restarts") or 0)
        self.findings.extend(Finding.from_dict(f) for f in data.get("findings", []))
