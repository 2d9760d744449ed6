"""The check registry and the context every check receives: shared, lane and fresh connections at one version."""

from __future__ import annotations

import contextlib
import fnmatch
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from mcptest.findings import NotApplicable, Violation
from mcptest.spec.requirements import Requirement, requirement
from mcptest.state import Lane, Memo, VersionState
from mcptest.wire import Reply, Wire
from mcptest.wire.base import ServerGone, dumps
from mcptest.wire.client import ClientBehaviour

Scope = Literal["server", "tool", "resource", "template", "prompt"]
Phase = Literal["shared", "serial", "pristine", "exclusive", "observe"]
"""How a check uses connections.

- ``shared``: requests on the version's shared connection, concurrently with other shared checks.
- ``serial``: on the shared connection too, but one serial check at a time in the whole run, under the
  Hypothesis lock (fuzzing: see ``mcptest.serial``); they run alongside the shared ones.
- ``pristine``: a connection on which nothing has been sent yet (``ctx.pristine()``); run one after another on a lane.
- ``exclusive``: an initialized connection no other check uses meanwhile (``ctx.exclusive()``), on a lane.
- ``observe``: judges what every connection of the version saw (``ctx.observed``), after all the others. Its
  ``prepare`` step, if any, sends the traffic it needs first, alongside the shared checks (see ``check``).
"""
T = TypeVar("T")


@dataclass(frozen=True)
class Check:
    """One conformance check: a function tied to one requirement.

    Attributes:
        id: the requirement id it verifies.
        func: ``func(ctx)`` for server scope, ``func(ctx, item)`` for per-item scopes.
        area: the suite module it belongs to.
        scope: what it is parametrized over.
        title: a few words for listings.
        phase: how it uses connections (see ``Phase``).
        order: position among the lane steps of its phase (lower runs first).
        prepare: for an observer, ``prepare(ctx)`` fills the memos (``ctx.memo``) its judging step reads, run
            alongside the shared checks instead of after them. Its exceptions are dropped: the observer asks the
            same memos, so a remembered failure is raised there, and anything else is computed (and raised) again.
    """

    id: str
    func: Callable[..., None]
    area: str
    scope: Scope
    title: str
    phase: Phase = "shared"
    order: int = 0
    prepare: Callable[[CheckContext], object] | None = None

    @property
    def requirement(self) -> Requirement:
        return requirement(self.id)


CHECKS: list[Check] = []


def check(
    req_id: str, area: str, title: str, *, scope: Scope = "server", phase: Phase = "shared", order: int = 0,
    prepare: Callable[[CheckContext], object] | None = None,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a check for requirement ``req_id`` (which must exist in the requirements table)."""
    requirement(req_id)
    if prepare is not None and phase != "observe":
        raise ValueError(f"{req_id}: only an observer has a prepare step")

    def register(func: Callable[..., None]) -> Callable[..., None]:
        CHECKS.append(Check(req_id, func, area, scope, title, phase, order, prepare))
        return func

    return register


class CheckContext:
    """What one check run may use: the target, the discovered surface, and connections at one version.

    ``wire()`` is the version's shared connection; ``pristine()`` / ``exclusive()`` are the lane's (for
    lane-phase checks); ``fresh()`` opens a connection of its own; ``observed`` is what every connection of
    the version saw.
    """

    def __init__(self, state: VersionState, lane: Lane | None = None, recheck: object = None) -> None:
        self.state = state
        self.lane = lane
        self.recheck = recheck
        """On a re-run alone, what the first run's transient Violation asked to try first (else None)."""
        self.handle = state.handle
        self.surface = state.surface
        self.settings = state.handle.settings
        self.notes: list[str] = []

    @property
    def version(self) -> str:
        """The protocol version this check runs at."""
        return self.state.version

    @property
    def modern(self) -> bool:
        """True at 2026-07-28 (stateless, per-request envelope)."""
        return self.state.modern

    @property
    def transport(self) -> str:
        return self.handle.transport

    @property
    def timeout(self) -> float:
        return self.settings.timeout

    @property
    def restarts(self) -> int:
        return self.state.restarts

    @property
    def observed(self) -> Any:
        return self.state.observed

    @property
    def tool_calls(self) -> Memo:
        return self.state.memo

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """A value shared by every check of this version, computed once."""
        return self.state.memo.get(key, compute)

    def note(self, text: str) -> None:
        """Leave a line on this check's Finding, whatever its outcome (e.g. how much of a bounded search ran)."""
        self.notes.append(text)

    def wire(self) -> Wire:
        """The shared, ready wire (reopened if the server died)."""
        return self.state.shared_wire()

    def reset_wire(self) -> None:
        """Drop the shared wire (for stdio: stop its process): the next user gets a fresh one."""
        shared = self.state.shared
        if shared is not None:
            self.state.drop_shared(shared)

    def pristine(self) -> Wire:
        """The lane's connection before anything was sent on it (pristine-phase checks only)."""
        if self.lane is None:
            raise RuntimeError("pristine() is for checks registered with phase='pristine'")
        return self.lane.pristine()

    def exclusive(self) -> Wire:
        """The lane's initialized connection, used by no other check meanwhile (lane-phase checks only)."""
        if self.lane is None:
            raise RuntimeError("exclusive() is for checks registered with phase='pristine' or 'exclusive'")
        return self.lane.ready()

    @contextlib.contextmanager
    def fresh(self, *, client: ClientBehaviour | None = None, ready: bool = True) -> Iterator[Wire]:
        """A connection of its own (ready at this version unless ``ready=False``), closed afterwards."""
        wire = self.state.open(client=client) if ready else self.handle.open(client=client)
        try:
            yield wire
        finally:
            self.handle.forget(wire)

    def request(self, method: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Reply:
        """A request on the shared wire."""
        return self.wire().request(method, params, **kwargs)

    def require(self, capability: str) -> None:
        """Skip (n/a) unless the server declared ``capability``."""
        if not self.surface.has(capability):
            raise NotApplicable(f"the server does not declare the {capability!r} capability")

    def require_transport(self, transport: str) -> None:
        """Skip (n/a) unless the target speaks ``transport``."""
        if self.transport != transport:
            raise NotApplicable(f"only for {transport} servers; this one is {self.transport}")

    def require_version(self, versions: tuple[str, ...]) -> None:
        """Skip (n/a) unless this check runs at one of ``versions``."""
        if self.version not in versions:
            raise NotApplicable(f"applies to protocol versions {', '.join(versions)}; this run is at {self.version}")

    def tool_call_blocked(self, tool: dict[str, Any]) -> str | None:
        """Why the suite must not call ``tool`` (unsafe annotations, name filters), or None."""
        return call_blocked(self.settings, tool, unsafe_ok=self.settings.call_unsafe, opt_in="--mcp-call-unsafe")

    def violation(
        self, req_id: str, expected: str, actual: str, *, wire: Wire | None = None, sent: Any = None,
        check_id: str | None = None, reproduce: str = "", transient: str = "", recheck: object = None,
    ) -> Violation:
        """Build a Violation with the transcript filled in (the runner adds the pytest reproducer).

        ``transient`` (``crash`` or ``hang``) marks evidence another concurrent check could have caused: the
        runner re-runs the check alone before reporting it, with ``recheck`` as that re-run's ``ctx.recheck``.
        """
        text = sent if isinstance(sent, str) else dumps(sent) if sent is not None else ""
        details = ""
        if wire is not None:
            details = "  last frames:\n" + wire.transcript.tail() + "\n  " + wire.describe()
        return Violation(req_id, expected, actual, sent=text, reproduce=reproduce, details=details,
                         version=self.version, transient=transient, recheck=recheck)


def call_blocked(settings: Any, tool: dict[str, Any], *, unsafe_ok: bool, opt_in: str) -> str | None:
    """Why ``tool`` must not be called (name filters, destructive/open-world annotations unless ``unsafe_ok``)."""
    name = str(tool.get("name"))
    if settings.tools and not any(fnmatch.fnmatchcase(name, p) for p in settings.tools):
        return f"tool {name!r} is not selected by --mcp-tools {','.join(settings.tools)}"
    if any(fnmatch.fnmatchcase(name, p) for p in settings.skip_tools):
        return f"tool {name!r} is excluded by --mcp-skip-tools"
    annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
    unsafe = [hint for hint in ("destructiveHint", "openWorldHint") if annotations.get(hint) is True]
    if unsafe and not unsafe_ok:
        return f"tool {name!r} is annotated {' and '.join(unsafe)}: not called (opt in with {opt_in})"
    return None


def show(value: Any, limit: int = 300) -> str:
    """Compact JSON of ``value`` for messages, cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_code(reply: Reply) -> Any:
    """The error code of a reply, or None."""
    return reply.error_code


__all__ = ["CHECKS", "Check", "CheckContext", "Lane", "Memo", "ServerGone", "VersionState", "call_blocked", "check",
           "show"]
