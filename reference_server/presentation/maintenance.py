"""Maintenance mode: the tools that change data are withdrawn from ``tools/list`` while an operator works on the
system, after a person confirms it through elicitation (an input-required result at 2026-07-28, a standalone
``elicitation/create`` request on the handshake era). Clients hear about it as a tool-list change.

No ``from __future__ import annotations`` here: the tool's ``Resolve(ask_to_confirm)`` annotation names a local
variable, which only eagerly evaluated annotations can see.
"""

from collections.abc import Sequence
from typing import Annotated

import mcp.types as types
from mcp.server import MCPServer
from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, Field

from reference_server.clock import Clock, utc_iso
from reference_server.presentation.catalog import ToolCatalog
from reference_server.presentation.changes import ChangeFeed
from reference_server.presentation.protocol import is_modern

TOOL_NAME = "set_maintenance_mode"


class MaintenanceConfirmation(BaseModel):
    """What the person is asked before the write tools are withdrawn."""

    confirm: bool = Field(description="Withdraw the tools that change data now")


class MaintenanceOut(BaseModel):
    """The maintenance state after the call."""

    active: bool
    reason: str = Field(description="Why the server is in maintenance (empty when not)")
    since: str | None = Field(None, description="ISO 8601 UTC time maintenance began")
    withdrawn_tools: list[str] = Field(description="Tools hidden from tools/list and refused until it ends")
    changed: bool = Field(description="Whether this call changed the state")


class Maintenance:
    """The maintenance state and what it hides: every tool annotated ``readOnlyHint: false`` but this one."""

    def __init__(self, catalog: ToolCatalog, changes: ChangeFeed, clock: Clock) -> None:
        self._catalog = catalog
        self._changes = changes
        self._clock = clock
        self.reason = ""
        self.since: str | None = None
        self.withdrawn: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        """Whether the server is in maintenance."""
        return self.since is not None

    async def visible_tools(self) -> list[types.Tool]:
        """The tools to list: all registered ones minus the withdrawn ones."""
        return [tool for tool in await self._catalog.tools() if tool.name not in self.withdrawn]

    def refusal(self, name: str) -> MCPError | None:
        """The error for calling ``name`` now, or None when it may be called."""
        if name not in self.withdrawn:
            return None
        return MCPError(
            code=types.INVALID_PARAMS,
            message=f"Unknown tool: {name} (withdrawn while the server is in maintenance: {self.reason}); "
            f"it returns when {TOOL_NAME} is called with enabled=false",
            data={"name": name, "maintenance": self.reason},
        )

    async def enter(self, reason: str) -> None:
        """Withdraw the writing tools and announce the change."""
        self.withdrawn = frozenset(withdrawn_names(await self._catalog.tools()))
        self.reason = reason
        self.since = utc_iso(self._clock)
        await self._changes.tools_changed()

    async def leave(self) -> None:
        """Bring the withdrawn tools back and announce the change."""
        self.withdrawn, self.reason, self.since = frozenset(), "", None
        await self._changes.tools_changed()

    def state(self, *, changed: bool) -> MaintenanceOut:
        """The current state as the tool's output."""
        return MaintenanceOut(
            active=self.active,
            reason=self.reason,
            since=self.since,
            withdrawn_tools=sorted(self.withdrawn),
            changed=changed,
        )


def withdrawn_names(tools: Sequence[types.Tool]) -> list[str]:
    """Names of the tools maintenance withdraws from ``tools``: those annotated ``readOnlyHint: false``."""
    return sorted(
        t.name for t in tools if t.name != TOOL_NAME and t.annotations and t.annotations.read_only_hint is False
    )


def _declared_elicitation(ctx: Context) -> bool:
    capabilities = ctx.client_capabilities
    return capabilities is not None and capabilities.elicitation is not None


class ConfirmMaintenance:
    """The resolver of ``set_maintenance_mode``'s confirmation: entering maintenance needs a person's yes; leaving
    it, or entering it again, does not. (A class, so its key in ``inputRequests`` is its short qualified name.)"""

    def __init__(self, mcp: MCPServer, maintenance: Maintenance) -> None:
        self._mcp = mcp
        self._maintenance = maintenance

    async def __call__(
        self, enabled: bool, reason: str, ctx: Context
    ) -> Elicit[MaintenanceConfirmation] | MaintenanceConfirmation:
        if not enabled or self._maintenance.active:
            return MaintenanceConfirmation(confirm=True)
        if not is_modern(ctx.request_context) and not _declared_elicitation(ctx):
            # 2026-07-28 answers -32021 with requiredCapabilities (the SDK does); the handshake era has no such
            # error, so the refusal is a tool error that says what the client must declare.
            raise ToolError(
                f"{TOOL_NAME} asks a person to confirm before it withdraws tools, but this client did not declare "
                "the elicitation capability; connect with a client that declares it in initialize"
            )
        names = withdrawn_names(await self._mcp.list_tools())
        return Elicit(
            f"Put the server into maintenance ({reason})? These tools are withdrawn until it ends: "
            f"{', '.join(names) or 'none'}.",
            MaintenanceConfirmation,
        )


def register_maintenance_tool(mcp: MCPServer, maintenance: Maintenance) -> None:
    """``set_maintenance_mode``: enter maintenance after a confirmed elicitation, or leave it."""
    ask_to_confirm = ConfirmMaintenance(mcp, maintenance)

    @mcp.tool(
        name=TOOL_NAME,
        title="Set maintenance mode",
        annotations=types.ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
        ),
    )
    async def set_maintenance_mode(
        enabled: Annotated[bool, Field(description="true: enter maintenance; false: leave it")],
        confirmation: Annotated[ElicitationResult[MaintenanceConfirmation], Resolve(ask_to_confirm)],
        reason: Annotated[
            str, Field(max_length=200, description="Shown to clients whose calls are refused meanwhile")
        ] = "scheduled maintenance",
    ) -> MaintenanceOut:
        """Enter or leave maintenance mode. Entering asks a person to confirm (elicitation) and then withdraws every
        tool that changes data from tools/list until maintenance ends; clients are notified of the list change."""
        if enabled == maintenance.active:
            return maintenance.state(changed=False)
        if not enabled:
            await maintenance.leave()
            return maintenance.state(changed=True)
        if not isinstance(confirmation, AcceptedElicitation):
            outcome = {"decline": "declined", "cancel": "cancelled"}[confirmation.action]
            raise ToolError(f"maintenance not entered: the confirmation was {outcome}")
        if not confirmation.data.confirm:
            raise ToolError("maintenance not entered: the confirmation was not confirmed")
        await maintenance.enter(reason.strip() or "scheduled maintenance")
        return maintenance.state(changed=True)
