"""What the checks of one protocol version share: the shared connection, lanes of connections, compute-once values."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcptest.connect import ServerHandle
from mcptest.discovery import Surface, initialize, open_modern
from mcptest.findings import NotApplicable, Violation
from mcptest.serial import HYPOTHESIS
from mcptest.wire import Wire, WireError
from mcptest.wire.client import ClientBehaviour

T = TypeVar("T")


class Memo:
    """Compute-once values shared by the checks of one version, safe when several threads ask at once."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._locks: dict[Any, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        """The value for ``key``, computed by ``compute`` on first use (an exception is remembered and re-raised)."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):
            with HYPOTHESIS.released():  # another thread computes it, and may need Hypothesis to: wait without it
                lock.acquire()
        try:
            if key not in self._values:
                try:
                    self._values[key] = (True, compute())
                except (NotApplicable, Violation, WireError) as exc:
                    self._values[key] = (False, exc)
            ok, value = self._values[key]
        finally:
            lock.release()
        if not ok:
            raise value
        return value


@dataclass
class VersionState:
    """Everything the checks of one protocol version share: the target, the surface, the shared connection."""

    handle: ServerHandle
    surface: Surface
    shared: Wire | None
    observed: Any = None
    spare: Wire | None = None
    memo: Memo = field(default_factory=Memo)
    restarts: int = 0
    fuzz_share: int = 1
    """How many versions share each tool's fuzz examples (``fuzz_examples``); each draws its own share."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    died: bool = False
    """The shared connection was let go because its server died (``release_shared``): its successor is a restart."""

    @property
    def version(self) -> str:
        return self.surface.version

    @property
    def modern(self) -> bool:
        return self.surface.era == "modern"

    def open(self, *, client: ClientBehaviour | None = None) -> Wire:
        """A new connection ready at this version: initialized (handshake era) or enveloped (modern)."""
        wire = self.handle.open(client=client)
        if self.modern:
            open_modern(wire, self.version, self.surface)
        else:
            initialize(wire, self.version)
        return wire

    def shared_wire(self) -> Wire:
        """The shared connection, reopened (and counted as a restart) when the server behind it died."""
        with self.lock:
            if self.shared is not None and self.shared.gone is not None:
                self.handle.forget(self.shared)
                self.shared = None
                self.restarts += 1
            if self.shared is None:
                if self.died:
                    self.restarts += 1
                    self.died = False
                self.shared = self.open()
            return self.shared

    def release_shared(self, wire: Wire, *, died: bool) -> bool:
        """Stop using ``wire`` as the shared connection (its server died, or hung on a request); the next user opens
        a new one, counted as a restart if it ``died``. False when ``wire`` was no longer the shared connection."""
        with self.lock:
            if self.shared is not wire:
                return False
            self.shared = None
            self.died = self.died or died
            return True

    def drop_shared(self, wire: Wire) -> None:
        """Stop using ``wire`` as the shared connection (a request hung on it); the next user opens a new one.

        Closing it ends its process on stdio, so requests still pending behind the hung one fail at once
        instead of waiting out their own timeouts; the runner re-runs those checks alone.
        """
        self.release_shared(wire, died=False)
        self.handle.forget(wire)

    def drop_if_shared(self, wire: Wire | None) -> None:
        """``drop_shared(wire)`` when ``wire`` (where a request went unanswered) is the shared connection: a server
        stuck on one request must not stall every other check."""
        if wire is not None and wire is self.shared:
            self.drop_shared(wire)


class Lane:
    """Connections that lane checks (pristine, then exclusive) use one after another, reopened only when needed.

    ``wire`` is the connection in use; an initialized one set aside while a pristine check needed a new
    process is ``kept`` for the next exclusive check instead of being closed.
    """

    def __init__(self, state: VersionState, spare: Wire | None = None) -> None:
        self.state = state
        self.wire: Wire | None = None
        self.kept: Wire | None = spare

    def pristine(self) -> Wire:
        """A connection on which no ``initialize`` was sent yet (a new process on stdio when the lane's was)."""
        wire = self.wire
        if wire is None or wire.initialize_sent or wire.modern or wire.gone is not None:
            if wire is not None and self._usable(wire) and self.kept is None:
                self.kept, self.wire = wire, None
            self._replace(self.state.handle.open())
        return self.wire  # type: ignore[return-value]

    def ready(self) -> Wire:
        """A connection initialized at the version (the lane's own, a kept one, or a new one)."""
        if self.wire is not None and self._usable(self.wire):
            return self.wire
        if self.kept is not None and self._usable(self.kept):
            kept, self.kept = self.kept, None
            self._replace(kept)
            return kept
        self._replace(self.state.open())
        return self.wire  # type: ignore[return-value]

    def _usable(self, wire: Wire) -> bool:
        ready = wire.modern if self.state.modern else wire.initialize_result is not None
        return wire.gone is None and ready and wire.protocol_version == self.state.version

    def _replace(self, wire: Wire) -> None:
        if self.wire is not None:
            self.state.handle.forget(self.wire)
        self.wire = wire

    def close(self) -> None:
        self.state.handle.forget_all([self.wire, self.kept])
        self.wire = self.kept = None
