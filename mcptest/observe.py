"""What every connection of a run saw, bucketed by protocol version, for checks that judge a whole session."""

from __future__ import annotations

import collections
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from mcptest.spec.jsonrpc import frame_problem
from mcptest.wire.base import Observer, Wire, is_notification, is_response

_CAP = 500


@dataclass
class Seen:
    """What the server sent at one protocol version (the bucket ``None`` holds traffic before any handshake)."""

    messages: int = 0
    notifications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    frame_problems: list[tuple[str, str, Any]] = field(default_factory=list)
    meta: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    error_codes: collections.Counter[Any] = field(default_factory=collections.Counter)
    stray_progress: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    def notes(self, method: str) -> list[dict[str, Any]]:
        """The params of every notification ``method`` seen."""
        return [note.get("params") or {} for _, note in self.notifications if note.get("method") == method]


class Observations(Observer):
    """An Observer that keeps, per protocol version, what run-level checks need (bounded, thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str | None, Seen] = {}
        self._tokens: weakref.WeakKeyDictionary[Wire, set[str]] = weakref.WeakKeyDictionary()
        self._wires: list[Wire] = []

    def at(self, version: str | None) -> Seen:
        """The traffic seen at ``version``."""
        with self._lock:
            return self._buckets.setdefault(version, Seen())

    def on_sent(self, wire: Wire, message: Any) -> None:
        with self._lock:
            if wire not in self._tokens:
                self._tokens[wire] = set()
                self._wires.append(wire)
        params = message.get("params") if isinstance(message, dict) else None
        meta = params.get("_meta") if isinstance(params, dict) else None
        if isinstance(meta, dict) and "progressToken" in meta:
            with self._lock:
                self._tokens[wire].add(repr(meta["progressToken"]))

    def on_received(self, wire: Wire, message: Any) -> None:
        seen = self.at(wire.protocol_version)
        where = wire.transport
        problem = frame_problem(message)
        with self._lock:
            seen.messages += 1
            if problem and len(seen.frame_problems) < 20:
                seen.frame_problems.append((where, problem, message))
            if not isinstance(message, dict):
                return
            if is_notification(message):
                if len(seen.notifications) < _CAP:
                    seen.notifications.append((where, message))
                if message.get("method") == "notifications/progress" and len(seen.stray_progress) < 20:
                    why = self._stray(wire, message)
                    if why:
                        seen.stray_progress.append((where, message, why))
            elif isinstance(message.get("method"), str) and "id" in message:
                if len(seen.requests) < _CAP:
                    seen.requests.append((where, message, dict(wire.client.capabilities)))
            elif is_response(message) and isinstance(message.get("error"), dict):
                seen.error_codes[message["error"].get("code")] += 1
            if len(seen.meta) < _CAP:
                seen.meta.extend((where, meta) for meta in _metas(message))

    def wires(self, transport: str | None = None) -> list[Wire]:
        """Every connection that sent something in this run (of ``transport``, when given), oldest first."""
        with self._lock:
            return [w for w in self._wires if transport is None or w.transport == transport]

    def _stray(self, wire: Wire, message: dict[str, Any]) -> str | None:
        """Why a progress notification references no active request of ``wire`` (None when it does)."""
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        if "progressToken" not in params:
            return "it carries no progressToken"
        token = params["progressToken"]
        if wire.has_active_token(token, loosely=True):
            return None  # a token echoed with another JSON type (7 as "7") is PROG-01's finding
        if repr(token) in self._tokens.get(wire, set()):
            return f"token {token!r} belongs to a request that was already answered"
        return f"token {token!r} was never sent in a request on this connection"


def _metas(value: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Every ``_meta`` object inside ``value`` (bounded depth)."""
    found: list[dict[str, Any]] = []
    if depth > 8:
        return found
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "_meta" and isinstance(child, dict):
                found.append(child)
            elif isinstance(child, (dict, list)):
                found.extend(_metas(child, depth + 1))
    elif isinstance(value, list):
        for child in value[:200]:
            found.extend(_metas(child, depth + 1))
    return found
