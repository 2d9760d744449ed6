"""The check registry and the context every check receives."""

from __future__ import annotations

import contextlib
import fnmatch
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from mcptest.connect import ServerHandle
from mcptest.discovery import Surface, initialize
from mcptest.findings import NotApplicable, Violation
from mcptest.spec.requirements import Requirement, requirement
from mcptest.spec.versions import LATEST_HANDSHAKE
from mcptest.wire import Reply, Wire
from mcptest.wire.base import dumps

Scope = Literal["server", "tool", "resource", "template", "prompt"]
Area = Literal["jsonrpc", "lifecycle", "utilities", "tools", "resources", "prompts", "stdio", "http", "fuzz"]


@dataclass(frozen=True)
class Check:
    """One conformance check: a function tied to one requirement.

    Attributes:
        id: the requirement id it verifies.
        func: ``func(ctx)`` for server scope, ``func(ctx, item)`` for per-item scopes.
        area: the suite module it belongs to.
        scope: what it is parametrized over.
        title: a few words for listings.
    """

    id: str
    func: Callable[..., None]
    area: Area
    scope: Scope
    title: str

    @property
    def requirement(self) -> Requirement:
        return requirement(self.id)


CHECKS: list[Check] = []


def check(req_id: str, area: Area, title: str, *, scope: Scope = "server") -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a check for requirement ``req_id`` (which must exist in the requirements table)."""
    requirement(req_id)

    def register(func: Callable[..., None]) -> Callable[..., None]:
        CHECKS.append(Check(req_id, func, area, scope, title))
        return func

    return register


class CheckContext:
    """What a check may use: the target, the discovered surface, shared and fresh wires.

    The shared wire is initialized once and reused; when the server died, the next check gets a new
    one (and ``restarts`` counts it). ``fresh()`` gives a wire of its own for checks that need a
    clean connection (lifecycle, malformed traffic).
    """

    def __init__(self, handle: ServerHandle, surface: Surface) -> None:
        self.handle = handle
        self.surface = surface
        self.settings = handle.settings
        self._shared: Wire | None = None
        self.restarts = 0
        self.tool_calls: dict[str, Any] = {}  # tool name -> its example call (or the Violation it caused)
        self.busy_calls: dict[str, Any] = {}  # tool name -> its busy call (or why it went unanswered)

    @property
    def version(self) -> str:
        """The negotiated protocol version."""
        return self.surface.version

    @property
    def transport(self) -> str:
        return "http" if self.handle.speaks_http else "stdio"

    @property
    def timeout(self) -> float:
        return self.settings.timeout

    def wire(self) -> Wire:
        """The shared, initialized wire (reopened if the server died)."""
        if self._shared is not None and not _alive(self._shared):
            self._shared.close()
            self._shared = None
            self.restarts += 1
        if self._shared is None:
            wire = self.handle.open()
            initialize(wire, self.version)
            self._shared = wire
        return self._shared

    def reset_wire(self) -> None:
        """Drop the shared wire (and, for stdio, stop its process): the next check gets a fresh one."""
        if self._shared is not None:
            self._shared.close()
            self._shared = None
            self.restarts += 1

    @contextlib.contextmanager
    def fresh(self, *, version: str | None = None, handshake: bool = True) -> Iterator[Wire]:
        """A wire of its own, initialized at ``version`` (or not at all), closed afterwards."""
        wire = self.handle.open()
        try:
            if handshake:
                initialize(wire, version or self.version or LATEST_HANDSHAKE)
            yield wire
        finally:
            wire.close()

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
        """Skip (n/a) unless the negotiated version is one of ``versions``."""
        if self.version not in versions:
            raise NotApplicable(f"applies to protocol versions {', '.join(versions)}; negotiated {self.version}")

    def tool_call_blocked(self, tool: dict[str, Any]) -> str | None:
        """Why the suite must not call ``tool`` (unsafe annotations, name filters), or None."""
        name = str(tool.get("name"))
        if self.settings.tools and not any(fnmatch.fnmatchcase(name, p) for p in self.settings.tools):
            return f"tool {name!r} is not selected by --mcp-tools {','.join(self.settings.tools)}"
        if any(fnmatch.fnmatchcase(name, p) for p in self.settings.skip_tools):
            return f"tool {name!r} is excluded by --mcp-skip-tools"
        annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
        unsafe = [hint for hint in ("destructiveHint", "openWorldHint") if annotations.get(hint) is True]
        if unsafe and not self.settings.call_unsafe:
            return f"tool {name!r} is annotated {' and '.join(unsafe)}: not called (opt in with --mcp-call-unsafe)"
        return None

    def violation(
        self, req_id: str, expected: str, actual: str, *, wire: Wire | None = None, sent: Any = None, check_id: str | None = None
    ) -> Violation:
        """Build a Violation with the reproducer and the transcript filled in."""
        text = sent if isinstance(sent, str) else dumps(sent) if sent is not None else ""
        details = ""
        if wire is not None:
            details = "  last frames:\n" + wire.transcript.tail() + "\n  " + wire.describe()
        reproduce = f"pytest {self.handle.reproduce_command()} -k '{check_id or req_id}'"
        return Violation(req_id, expected, actual, sent=text, reproduce=reproduce, details=details, version=self.version)

    def close(self) -> None:
        if self._shared is not None:
            self._shared.close()
            self._shared = None


def _alive(wire: Wire) -> bool:
    process = getattr(wire, "process", None)
    return process is None or process.alive


def show(value: Any, limit: int = 300) -> str:
    """Compact JSON of ``value`` for messages, cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_code(reply: Reply) -> Any:
    """The error code of a reply, or None."""
    return reply.error_code
