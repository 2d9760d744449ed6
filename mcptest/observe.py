"""What every connection of a run saw, bucketed by protocol version, for checks that judge a whole session."""

from __future__ import annotations

import collections
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcptest.spec.jsonrpc import frame_problem
from mcptest.wire.base import Observer, Wire, is_notification, is_response
from mcptest.wire.envelope import SERVER_INFO_KEY

_CAP = 500
_SHAPE_CAP = 20
_BACKLOG_CAP = 1000

ShapeJudge = Callable[[str, str, str, Any], "list[str] | None"]
"""``judge(kind, method, version, body)``: the problems of a ``result``, ``notification`` or ``request`` body (the
result, or the params) at ``version``; ``[]`` when it conforms, None when nothing defines its shape there."""
SHAPE_JUDGES: list[ShapeJudge] = []
"""The judges every observed message goes through (check modules register theirs when imported)."""


@dataclass(frozen=True)
class ShapeProblem:
    """A message whose shape its version's schema does not allow: what it was, the problems, the evidence."""

    transport: str
    kind: str
    method: str
    problems: tuple[str, ...]
    message: Any
    request: Any = None


@dataclass
class Seen:
    """What the server sent at one protocol version (the bucket ``None`` holds traffic before any handshake).

    ``error_samples`` keeps the first error response per code; ``results`` counts results by
    ``(resultType, names the server in _meta)`` and ``result_samples`` keeps the first of each kind.
    """

    messages: int = 0
    notifications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    frame_problems: list[tuple[str, str, Any]] = field(default_factory=list)
    meta: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    error_codes: collections.Counter[Any] = field(default_factory=collections.Counter)
    error_samples: dict[Any, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    results: collections.Counter[tuple[Any, bool]] = field(default_factory=collections.Counter)
    result_samples: dict[tuple[Any, bool], tuple[str, dict[str, Any]]] = field(default_factory=dict)
    stray_progress: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    shapes_judged: int = 0
    shape_problems: list[ShapeProblem] = field(default_factory=list)
    judge_errors: list[str] = field(default_factory=list)

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
        self._backlog: list[tuple[Any, ...]] = []

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
        if isinstance(message, dict) and isinstance(message.get("method"), str) and wire.protocol_version is not None:
            kind = "notification" if "id" not in message else "request"
            self._judge(seen, wire, kind, message["method"], wire.protocol_version, message.get("params"), message)
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
                code = message["error"].get("code")
                seen.error_codes[code] += 1
                if len(seen.error_samples) < _CAP:
                    seen.error_samples.setdefault(code if isinstance(code, (int, str)) else repr(code),
                                                  (where, message))
            elif is_response(message) and isinstance(message.get("result"), dict):
                key = _result_key(message["result"])
                seen.results[key] += 1
                if len(seen.result_samples) < _CAP:
                    seen.result_samples.setdefault(key, (where, message))
            if len(seen.meta) < _CAP:
                seen.meta.extend((where, meta) for meta in _metas(message))

    def on_response(self, wire: Wire, request: dict[str, Any], response: dict[str, Any]) -> None:
        if "result" not in response or "error" in response or not isinstance(request.get("method"), str):
            return  # an error response, or one with both members, is BASE-03's to judge
        version = wire.protocol_version
        if request["method"] == "initialize":
            result = response["result"]
            version = result.get("protocolVersion") if isinstance(result, dict) else None
        if isinstance(version, str):
            self._judge(self.at(version), wire, "result", request["method"], version, response["result"], response,
                        request)

    def _judge(self, seen: Seen, wire: Wire, kind: str, method: str, version: str, body: Any, message: Any,
               request: Any = None) -> None:
        """Judge one message's shape; until a judge is registered (the checks load while discovery runs), keep it."""
        item = (seen, wire.transport, kind, method, version, body, message, request)
        if not SHAPE_JUDGES:
            with self._lock:
                if len(self._backlog) < _BACKLOG_CAP:
                    self._backlog.append(item)
            return
        self.judge_backlog()
        self._verdicts(*item)

    def judge_backlog(self) -> None:
        """Judge the messages kept while no judge was registered yet."""
        with self._lock:
            backlog, self._backlog = self._backlog, []
        for item in backlog:
            self._verdicts(*item)

    def _verdicts(self, seen: Seen, transport: str, kind: str, method: str, version: str, body: Any, message: Any,
                  request: Any) -> None:
        """Run every judge on one message (outside the lock: judging may build validators) and keep the verdicts."""
        for judge in SHAPE_JUDGES:
            try:
                problems = judge(kind, method, version, body)
            except Exception as exc:  # mcptest's bug, not the server's: the check that reads it reports an error
                with self._lock:
                    seen.judge_errors.append(f"{type(exc).__name__}: {exc} (judging the {method} {kind})")
                continue
            if problems is None:
                continue
            with self._lock:
                seen.shapes_judged += 1
                if problems and len(seen.shape_problems) < _SHAPE_CAP:
                    seen.shape_problems.append(ShapeProblem(transport, kind, method, tuple(problems), message, request))

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


def _result_key(result: dict[str, Any]) -> tuple[Any, bool]:
    """How a result is labelled: its ``resultType`` (None when absent or not a string) and whether its ``_meta``
    names the server (``io.modelcontextprotocol/serverInfo``, 2026-07-28)."""
    kind = result.get("resultType")
    meta = result.get("_meta")
    named = isinstance(meta, dict) and isinstance(meta.get(SERVER_INFO_KEY), dict)
    return (kind if isinstance(kind, str) else None), named


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
