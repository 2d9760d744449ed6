"""A raw SSE client for the stream checks: every event with its id, read in a thread, cut at any moment.

The HTTP wire reads SSE answers only for their JSON-RPC messages; checks about the streams themselves (event
ids, priming events, resumption with ``Last-Event-ID``, which stream carried what) need each event as sent, and
need to cut a connection mid-stream, which a socket shutdown does at once.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mcptest.wire.base import dumps

_NOT_JSON = object()


@dataclass(frozen=True)
class Event:
    """One SSE event: its ``id`` (None when the event set none), ``data`` and ``retry``."""

    id: str | None
    data: str
    retry: int | None = None

    @property
    def priming(self) -> bool:
        """True for an event with an id and empty data (it primes the client to reconnect)."""
        return self.id is not None and not self.data.strip()

    @property
    def message(self) -> Any:
        """The JSON-RPC message the data carries, or None (priming events, non-JSON data)."""
        if not self.data.strip():
            return None
        try:
            return json.loads(self.data)
        except ValueError:
            return None


class Stream:
    """One HTTP request whose answer is read in the background: an SSE stream event by event, else the body.

    ``status``, ``headers`` (lower-case names) and ``content_type`` are known when the constructor returns.
    ``wait`` blocks until a predicate over the events holds, the stream ends, or a timeout; ``close`` cuts the
    connection (the server sees the client go away).

    Raises:
        OSError: the connection failed (refused, reset) or the status line did not come within ``timeout``.
    """

    def __init__(
        self, url: str, method: str, headers: Mapping[str, str], body: Any = None, *, timeout: float,
        label: str = "",
    ) -> None:
        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.label = label or method
        self.sent = body
        self.events: list[Event] = []
        self.text = ""
        self.ended = False
        self.error: str | None = None
        self._cond = threading.Condition()
        self._conn = kind(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        content = body if isinstance(body, bytes) else dumps(body).encode() if body is not None else None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self._conn.connect()
        self._sock = self._conn.sock  # the connection lets go of it once a response says "Connection: close"
        self._conn.request(method, path or "/", body=content, headers=dict(headers))
        self._response = self._conn.getresponse()
        self.status = self._response.status
        self.headers = {k.lower(): v for k, v in self._response.getheaders()}
        self.content_type = self.headers.get("content-type", "").split(";")[0].strip().lower()
        self._thread: threading.Thread | None = None
        if self.content_type == "text/event-stream":
            self._thread = threading.Thread(target=self._read_events, daemon=True, name=f"mcptest-sse-{self.label}")
            self._thread.start()
        else:
            self._read_body()

    # -- reading ----------------------------------------------------------------------------------------------

    def _read_body(self) -> None:
        try:
            self.text = self._response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        self._finish()

    def _read_events(self) -> None:
        pending = b""
        fields: dict[str, list[str]] = {}
        try:
            while True:
                chunk = self._response.read1(65536)
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
                for raw in lines:
                    fields = self._line(raw.decode("utf-8", "replace"), fields)
        except (OSError, http.client.HTTPException) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        self._finish()

    def _line(self, line: str, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        """Fold one SSE line into the event being built; a blank line dispatches it (comments are ignored)."""
        if not line:
            if fields:
                retry = fields.get("retry", [""])[-1]
                event = Event(fields["id"][-1] if "id" in fields else None, "\n".join(fields.get("data", [])),
                              int(retry) if retry.isdigit() else None)
                with self._cond:
                    self.events.append(event)
                    self._cond.notify_all()
            return {}
        if line.startswith(":"):
            return fields
        name, _, value = line.partition(":")
        fields.setdefault(name, []).append(value.removeprefix(" "))
        return fields

    def _finish(self) -> None:
        with self._cond:
            self.ended = True
            self._cond.notify_all()

    # -- using it ---------------------------------------------------------------------------------------------

    def wait(self, predicate: Callable[[list[Event]], bool], timeout: float) -> bool:
        """Wait until ``predicate(events)`` holds (True), or the stream ended or ``timeout`` passed (its value then)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.events):
                left = deadline - time.monotonic()
                if self.ended or left <= 0:
                    return bool(predicate(self.events))
                self._cond.wait(left)
            return True

    def messages(self) -> list[Any]:
        """The JSON-RPC messages received so far (the body's, for a JSON answer)."""
        if self.content_type != "text/event-stream":
            try:
                value = json.loads(self.text) if self.text.strip() else None
            except ValueError:
                return []
            return value if isinstance(value, list) else [value] if value is not None else []
        with self._cond:
            return [m for m in (e.message for e in self.events) if m is not None]

    def answered(self, rid: Any) -> bool:
        """True once the response to request ``rid`` arrived on this stream."""
        return any(isinstance(m, dict) and "method" not in m and m.get("id") == rid for m in self.messages())

    def ids(self) -> list[str]:
        """The event ids this stream carried, in order."""
        with self._cond:
            return [e.id for e in self.events if e.id is not None]

    def close(self) -> None:
        """Cut the connection now (a shutdown wakes the reader) and wait for the reader to stop."""
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the server
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._conn.close()

    def describe(self) -> str:
        """One line for failure messages."""
        shown = [e.data[:80] if e.data else f"(id {e.id}, empty data)" for e in self.events[:6]]
        state = "ended" if self.ended else "still open"
        kind = self.content_type or "-"
        return f"{self.label}: HTTP {self.status} {kind}, {len(self.events)} event(s) {shown}, {state}"
