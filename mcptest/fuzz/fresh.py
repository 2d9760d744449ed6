"""Connections that start from a fresh server state, one per stateful sequence, the next one opened ahead.

How fresh depends on the target. A stdio server gets a new process per connection. An HTTP server mcptest
started (``--mcp-launch``, or a ``docker:`` image with ``--mcp-docker-port``) is started again for every
sequence, on a port of its own. An HTTP server mcptest did not start can only give a new session: whatever
earlier sequences stored in it stays, so a failure may depend on them (``Fresh.caveat`` says so).
"""

from __future__ import annotations

import collections
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mcptest.checks.base import VersionState
from mcptest.connect import ServerHandle
from mcptest.serial import HYPOTHESIS

if TYPE_CHECKING:
    from mcptest.checks.base import CheckContext
    from mcptest.wire import Wire

AHEAD = 2
"""Connections opened ahead of need: a sequence of a few calls is often shorter than a server's start."""
CLOSE_WAIT = 15.0
"""Seconds ``Fresh.close`` waits for each background close (a server's stop grace, SIGTERM and SIGKILL fit in it)."""


@dataclass
class Lease:
    """A ready connection for one sequence and what to close with it (its own server, when there is one)."""

    wire: Wire
    handle: ServerHandle

    def close(self, owner: ServerHandle) -> None:
        """Close the connection, and the server started for it."""
        if self.handle is owner:
            owner.forget(self.wire)
        else:
            self.handle.close()


class Fresh:
    """Hands out ready connections with a fresh server state; ``AHEAD`` are always being opened in the background.

    Opening a server costs from a few hundred milliseconds (a raw stdio server) to seconds (an SDK server, a
    container): opening ``AHEAD`` of them while sequences run hides most of that. ``close`` ends everything.
    """

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        handle = ctx.handle
        self.restartable = handle.transport != "stdio" and (bool(handle.target.launch) or handle.container is not None)
        self.fresh_state = handle.transport == "stdio" or self.restartable
        self._ahead: collections.deque[Future[Lease]] = collections.deque()
        self._leases: list[Lease] = []
        self._closers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    @property
    def caveat(self) -> str:
        """Why sequences may share state (empty when each starts from a fresh server)."""
        if self.fresh_state:
            return ""
        return (f"the server at {self.ctx.handle.url} was not started by mcptest, so each sequence got a new session, "
                "not a new server: what earlier sequences stored stays, a failure may depend on them and the "
                "printed sequence may need them to reproduce (pass --mcp-launch CMD so every sequence gets a "
                "fresh server)")

    def take(self) -> Lease:
        """A ready connection with a fresh state (waits for the oldest being opened); another starts opening."""
        with self._lock:
            while len(self._ahead) < AHEAD:
                self._ahead.append(self._start())
            pending = self._ahead.popleft()
            self._ahead.append(self._start())
        with HYPOTHESIS.released():  # a server starting: another property may draw meanwhile
            return pending.result()

    def release(self, lease: Lease) -> None:
        """Close a connection handed out by ``take``, in the background (a stopped server may take its grace to
        exit); ``close`` waits for it."""
        with self._lock:
            if lease in self._leases:
                self._leases.remove(lease)
            closer = threading.Thread(target=lease.close, args=(self.ctx.handle,), name="mcptest-stateful-close",
                                      daemon=True)
            self._closers.append(closer)
        closer.start()

    def close(self) -> None:
        """Close every connection handed out or being opened."""
        with self._lock:
            self._closed = True
            ahead, self._ahead = list(self._ahead), collections.deque()
        for pending in ahead:
            try:
                pending.result()
            except Exception:  # noqa: BLE001 - a prefetch that failed has nothing to close
                pass
        with self._lock:
            leases, self._leases = self._leases, []
        for lease in leases:
            lease.close(self.ctx.handle)
        for closer in self._closers:
            closer.join(CLOSE_WAIT)

    def _start(self) -> Future[Lease]:
        future: Future[Lease] = Future()

        def open_one() -> None:
            try:
                lease = self._open()
            except BaseException as exc:  # noqa: BLE001 - handed to whoever takes it
                future.set_exception(exc)
                return
            with self._lock:
                self._leases.append(lease)
                closed = self._closed
            if closed:
                self.release(lease)
            future.set_result(lease)

        threading.Thread(target=open_one, name="mcptest-stateful-open", daemon=True).start()
        return future

    def _open(self) -> Lease:
        owner = self.ctx.handle
        if not self.restartable:
            return Lease(self.ctx.state.open(), owner)
        handle = ServerHandle(owner.target, owner.settings, cwd=owner.cwd)
        try:
            handle.start()
            wire = VersionState(handle=handle, surface=self.ctx.surface, shared=None).open()
        except BaseException:
            handle.close()
            raise
        return Lease(wire, handle)
