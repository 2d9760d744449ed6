"""The transport-independent part of a raw wire: ids, concurrent request/response matching, progress, transcript."""

from __future__ import annotations

import collections
import itertools
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcptest.wire.client import ClientBehaviour
from mcptest.wire.envelope import Envelope

JSON = dict[str, Any]
CLIENT_INFO = {"name": "mcptest", "version": "0.2.0"}
PROGRESS = "notifications/progress"
_INBOX_LIMIT = 10_000


class WireError(RuntimeError):
    """The channel failed (connection refused, server gone); the message says how. ``wire`` is the channel."""

    wire: Any = None


class ServerGone(WireError):
    """The server process ended or closed the connection; the message has the exit code and stderr tail."""


class WireBug(RuntimeError):
    """mcptest's own code failed while carrying a request (a reader or request thread raised): a bug to report as an
    mcptest error, never a finding about the server. Not a WireError, so no check takes it for the server's doing."""


class RequestTimeout(WireError):
    """No response arrived within the deadline (extended by progress notifications, up to a hard cap)."""

    def __init__(self, method: str, timeout: float, sent: str, *, progressed: int = 0, capped: bool = False) -> None:
        why = f"no response to {method!r} within {timeout:g} s (--mcp-timeout)"
        if capped:
            why = (f"no response to {method!r} within the {timeout:g} s cap (--mcp-progress-cap), "
                   f"after {progressed} progress notifications")
        elif progressed:
            why += f" after its last of {progressed} progress notifications"
        super().__init__(f"{why}; sent: {sent}")
        self.wire: Any = None
        self.method = method
        self.timeout = timeout
        self.sent = sent
        self.progressed = progressed
        self.capped = capped


@dataclass(frozen=True)
class Frame:
    """One message on the wire, as text, with its direction (``>`` sent, ``<`` received)."""

    direction: str
    text: str
    at: float


class Transcript:
    """The last frames exchanged, for failure messages (bounded)."""

    def __init__(self, limit: int = 40) -> None:
        self._frames: collections.deque[Frame] = collections.deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, direction: str, text: str) -> None:
        with self._lock:
            self._frames.append(Frame(direction, text, time.monotonic()))

    def tail(self, count: int = 8, width: int = 400) -> str:
        """The last ``count`` frames, one per line, each cut to ``width`` characters."""
        with self._lock:
            frames = list(self._frames)[-count:]
        return "\n".join(f"  {f.direction} {_cut(f.text, width)}" for f in frames)


def _cut(text: str, width: int) -> str:
    text = text.rstrip("\n")
    return text if len(text) <= width else text[: width - 3] + "..."


def dumps(message: Any) -> str:
    """Compact JSON for the wire (UTF-8, no ASCII escaping: MCP stdio is UTF-8)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Reply:
    """The response to one request plus what the server sent while it was pending.

    Attributes:
        request: the request that was sent.
        response: the JSON-RPC response object (``result`` or ``error``).
        notifications: notifications received while the request was pending (progress only when it carried our token).
        requests: server-to-client requests received while it was pending.
        seconds: from sending to the response.
    """

    request: JSON
    response: JSON
    notifications: list[JSON] = field(default_factory=list)
    requests: list[JSON] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the response carries a ``result``."""
        return "result" in self.response and "error" not in self.response

    @property
    def result(self) -> Any:
        """The ``result`` member (None when absent)."""
        return self.response.get("result")

    @property
    def error(self) -> JSON | None:
        """The ``error`` member when it is an object, else None."""
        err = self.response.get("error")
        return err if isinstance(err, dict) else None

    @property
    def error_code(self) -> Any:
        """The error code, or None when there is no error object."""
        return self.error.get("code") if self.error else None


def is_response(message: Any) -> bool:
    """True for a JSON-RPC response (has ``result``/``error``, no ``method``)."""
    return isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)


def is_notification(message: Any) -> bool:
    """True for a JSON-RPC notification (a method and no id)."""
    return isinstance(message, dict) and isinstance(message.get("method"), str) and "id" not in message


def same_id(a: Any, b: Any) -> bool:
    """JSON-RPC id equality that keeps types apart (1 != "1", 1 != True)."""
    return type(a) is type(b) and a == b


def _id_key(value: Any) -> str:
    """A dict key for an id: loosely typed, so a server that echoes ``"1"`` for ``1`` still gets its answer matched
    (BASE-02 reports the type change; other checks go on)."""
    return str(value)


@dataclass
class _Pending:
    """A request waiting for its response."""

    message: JSON
    token: Any
    timeout: float
    cap: float
    deadline: float
    started: float
    reply: Reply
    done: bool = False
    progressed: int = 0
    failure: str | None = None
    bug: BaseException | None = None


class Call:
    """A request in flight (see ``Wire.begin``)."""

    def __init__(self, wire: Wire, pending: _Pending) -> None:
        self.wire = wire
        self._pending = pending

    @property
    def request(self) -> JSON:
        return self._pending.message

    @property
    def done(self) -> bool:
        """True once the response arrived."""
        return self._pending.done

    @property
    def reply(self) -> Reply:
        """What arrived so far (the response is empty until ``done``)."""
        return self._pending.reply

    def wait(self) -> Reply:
        """Wait for the response (its deadline, extended by progress notifications, as for ``request``)."""
        return self.wire._wait(self._pending)

    def abandon(self) -> None:
        """Stop waiting for the response (a late one goes to the inbox)."""
        self.wire._forget(self._pending)

    def wait_for(self, predicate: Any, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until ``predicate(reply)`` is true or the response arrived;
        the predicate's value."""
        return self.wire._wait_until(self._pending, predicate, timeout)


class Observer:
    """Receives every message every wire of a run sends and receives (run-level checks read from it)."""

    def on_received(self, wire: Wire, message: Any) -> None:
        """Called for each message the server sent, before it is matched."""

    def on_sent(self, wire: Wire, message: Any) -> None:
        """Called for each message mcptest sent."""

    def on_response(self, wire: Wire, request: JSON, response: JSON) -> None:
        """Called for each response matched to a request mcptest sent, before anyone waiting on it is told."""


class Wire(ABC):
    """A raw JSON-RPC channel that many threads may use at once.

    Subclasses move bytes and hand every message the server sends to ``_deliver``; this class matches
    responses to waiting requests by id, gives each pending request the notifications that concern it,
    extends a request's deadline on each of its progress notifications (up to ``progress_cap``), answers
    server-to-client requests through ``client``, and queues everything else in an inbox that
    ``next_message`` waits on.
    """

    transport: str = ""

    def __init__(
        self,
        timeout: float,
        *,
        progress_cap: float | None = None,
        client: ClientBehaviour | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.timeout = timeout
        self.progress_cap = max(progress_cap or timeout * 6, timeout)
        self.client = client or ClientBehaviour()
        self.observer = observer or Observer()
        self.transcript = Transcript()
        self.protocol_version: str | None = None
        self.envelope: Envelope | None = None
        self.initialize_result: JSON | None = None
        self.initialize_sent = False
        self.server_requests: list[JSON] = []
        self.gone: str | None = None
        self.broken: BaseException | None = None  # what a reader thread raised (a WireBug for every waiter)
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self._cond = threading.Condition()
        self._pending: dict[str, _Pending] = {}
        self._by_token: dict[str, _Pending] = {}
        self._sent_tokens: set[str] = set()  # every progress token this wire sent, answered or not
        self._sent_ids: set[str] = set()  # the id of every request this wire sent, answered or not
        self._inbox: collections.deque[Any] = collections.deque(maxlen=_INBOX_LIMIT)

    # -- what subclasses implement ---------------------------------------------------------------------------

    @abstractmethod
    def send(self, message: Any) -> None:
        """Send one message: a dict/list is JSON-encoded; ``bytes``/``str`` go out as they are."""

    @abstractmethod
    def close(self) -> None:
        """End the connection (and, when we started it, the server)."""

    @abstractmethod
    def describe(self) -> str:
        """Diagnostics for failure messages: server stderr tail, HTTP status, and so on."""

    def _send_request(self, message: JSON, pending: _Pending) -> None:
        """Send a request whose response ``pending`` waits for (HTTP overrides it to read the answer stream)."""
        self.send(message)

    # -- requests ---------------------------------------------------------------------------------------------

    @property
    def modern(self) -> bool:
        """True when requests carry the 2026-07-28 per-request envelope."""
        return self.envelope is not None

    def next_id(self) -> int:
        """A fresh integer request id."""
        return next(self._ids)

    def request(
        self,
        method: str,
        params: JSON | None = None,
        *,
        id: Any = None,
        timeout: float | None = None,
        meta: JSON | None = None,
        progress: bool | None = None,
        envelope: bool = True,
    ) -> Reply:
        """Send a request and wait for its response (see ``message`` for the arguments).

        Raises:
            RequestTimeout: no response within the (progress-extended) deadline.
            ServerGone: the server ended while the request was pending.
        """
        built = self.message(method, params, id=id, meta=meta, progress=progress, envelope=envelope)
        return self.exchange(built, timeout=timeout)

    def message(
        self,
        method: str,
        params: JSON | None = None,
        *,
        id: Any = None,
        meta: JSON | None = None,
        progress: bool | None = None,
        envelope: bool = True,
    ) -> JSON:
        """A request object as this wire sends it.

        Args:
            method: the JSON-RPC method.
            params: its params (``_meta`` entries are merged with ``meta``).
            id: the request id (default: a fresh integer).
            meta: extra ``_meta`` entries.
            progress: attach a fresh ``progressToken`` so progress notifications extend the deadline
                (default: only for ``tools/call``; never when ``meta`` already has one).
            envelope: on a modern wire, add the 2026-07-28 ``_meta`` envelope (False sends exactly ``params``).
        """
        rid = self.next_id() if id is None else id
        message: JSON = {"jsonrpc": "2.0", "id": rid, "method": method}
        extra = dict(meta or {})
        wants_progress = method == "tools/call" if progress is None else progress
        if wants_progress and "progressToken" not in extra and "progressToken" not in (params or {}).get("_meta", {}):
            extra["progressToken"] = f"mcptest-{next(self._tokens)}"
        if self.envelope is not None and envelope:
            extra = {**self.envelope.meta(), **extra}
        if params is not None or extra:
            message["params"] = dict(params or {})
            if extra:
                message["params"]["_meta"] = {**message["params"].get("_meta", {}), **extra}
        return message

    def exchange(self, message: JSON, *, timeout: float | None = None) -> Reply:
        """Send a prepared request object and wait for the response with its id."""
        return self.begin(message, timeout=timeout).wait()

    def exchange_all(self, messages: list[JSON], window: int) -> list[Reply | RequestTimeout]:
        """Send prepared requests with up to ``window`` in flight; each one's Reply, or the RequestTimeout it got
        (in the order of ``messages``). The spec allows concurrent requests; a notification that names no request
        goes to every request pending on its stream (on stdio: every one in flight)."""
        results: list[Reply | RequestTimeout] = []
        flying: collections.deque[Call] = collections.deque()

        def settle(call: Call) -> None:
            try:
                results.append(call.wait())
            except RequestTimeout as exc:
                results.append(exc)

        for message in messages:
            if len(flying) >= max(1, window):
                settle(flying.popleft())
            flying.append(self.begin(message))
        while flying:
            settle(flying.popleft())
        return results

    def begin(self, message: JSON, *, timeout: float | None = None) -> Call:
        """Send a prepared request object without waiting: ``.wait()`` on the result gives its Reply."""
        pending = self._register(message, timeout)
        try:
            self._send_request(message, pending)
        except BaseException:
            self._forget(pending)
            raise
        return Call(self, pending)

    def _register(self, message: JSON, timeout: float | None) -> _Pending:
        limit = self.timeout if timeout is None else timeout
        now = time.monotonic()
        meta = (message.get("params") or {}).get("_meta") if isinstance(message.get("params"), dict) else None
        token = meta.get("progressToken") if isinstance(meta, dict) else None
        pending = _Pending(message, token, limit, now + max(self.progress_cap, limit), now + limit, now,
                           Reply(request=message, response={}))
        if message.get("method") == "initialize":
            self.initialize_sent = True
        with self._cond:
            self._pending[_id_key(message.get("id"))] = pending
            self._sent_ids.add(_id_key(message.get("id")))
            if token is not None:
                self._by_token[_id_key(token)] = pending
                self._sent_tokens.add(_id_key(token))
        self.observer.on_sent(self, message)
        return pending

    def has_active_token(self, token: Any, *, loosely: bool = False) -> bool:
        """True when a pending request carries ``token`` as its progressToken
        (of the same JSON type, unless ``loosely``)."""
        with self._cond:
            owner = self._by_token.get(_id_key(token))
            return owner is not None and not owner.done and (loosely or same_id(owner.token, token))

    def _forget(self, pending: _Pending) -> None:
        with self._cond:
            self._pending.pop(_id_key(pending.message.get("id")), None)
            if pending.token is not None:
                self._by_token.pop(_id_key(pending.token), None)

    def _wait(self, pending: _Pending) -> Reply:
        with self._cond:
            while not pending.done:
                bug = pending.bug or self.broken
                if bug is not None:
                    self._forget_locked(pending)
                    method = pending.message.get("method")
                    raise WireBug(f"mcptest's {self.transport} wire failed while carrying {method!r}: "
                                  f"{type(bug).__name__}: {bug}") from bug
                if pending.failure is not None:
                    self._forget_locked(pending)
                    failed = WireError(pending.failure)
                    failed.wire = self
                    raise failed
                if self.gone is not None:
                    self._forget_locked(pending)
                    gone = ServerGone(self.gone)
                    gone.wire = self
                    raise gone
                left = pending.deadline - time.monotonic()
                if left <= 0:
                    self._forget_locked(pending)
                    capped = pending.progressed > 0 and pending.deadline >= pending.cap
                    timeout = pending.cap - pending.started if capped else pending.timeout
                    silent = RequestTimeout(str(pending.message.get("method")), timeout, dumps(pending.message),
                                            progressed=pending.progressed, capped=capped)
                    silent.wire = self
                    raise silent
                self._cond.wait(left)
        return pending.reply

    def _wait_until(self, pending: _Pending, predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if predicate(pending.reply):
                    return True
                left = deadline - time.monotonic()
                if pending.done or self.gone is not None or self.broken or pending.bug or left <= 0:
                    return bool(predicate(pending.reply))
                self._cond.wait(left)

    def _forget_locked(self, pending: _Pending) -> None:
        self._pending.pop(_id_key(pending.message.get("id")), None)
        if pending.token is not None:
            self._by_token.pop(_id_key(pending.token), None)

    # -- incoming messages ------------------------------------------------------------------------------------

    def _deliver(self, message: Any, via: Any = None) -> None:
        """Route one message from the server. ``via`` is the pending request whose answer stream carried it (HTTP)."""
        self.observer.on_received(self, message)
        if is_response(message) and message.get("id") is not None:
            with self._cond:
                matched = self._pending.get(_id_key(message.get("id")))
            if matched is not None:
                self.observer.on_response(self, matched.message, message)
        answer: JSON | None = None
        with self._cond:
            if is_response(message):
                pending = self._pending.pop(_id_key(message.get("id")), None) if message.get("id") is not None else None
                if pending is None:
                    self._inbox.append(message)
                else:
                    if pending.token is not None:
                        self._by_token.pop(_id_key(pending.token), None)
                    pending.reply.response = message
                    pending.reply.seconds = time.monotonic() - pending.started  # on arrival, whoever waits
                    pending.done = True
            elif isinstance(message, dict) and isinstance(message.get("method"), str) and "id" in message:
                self.server_requests.append(message)
                for pending in self._concerned(via):
                    pending.reply.requests.append(message)
                self._inbox.append(message)
                answer = message
            elif is_notification(message):
                self._route_notification(message, via)
            else:
                self._inbox.append(message)
            self._cond.notify_all()
        if answer is not None:
            reply = self.client.answer(answer)
            if reply is not None:
                self.answer(reply, via)

    def _route_notification(self, message: JSON, via: Any) -> None:
        if message.get("method") == PROGRESS:
            params = message.get("params") if isinstance(message.get("params"), dict) else {}
            owner = self._by_token.get(_id_key(params.get("progressToken"))) if "progressToken" in params else None
            if owner is not None and not owner.done:
                owner.reply.notifications.append(message)
                owner.progressed += 1
                owner.deadline = min(time.monotonic() + owner.timeout, owner.cap)
                return
            if "progressToken" in params and _id_key(params.get("progressToken")) in self._sent_tokens:
                self._inbox.append(message)  # late progress of a request already answered: no other request's
                return
        for pending in self._concerned(via):
            pending.reply.notifications.append(message)
        self._inbox.append(message)

    def _concerned(self, via: Any) -> list[_Pending]:
        """The pending requests a message that names no request belongs to: the one whose stream carried it,
        else all."""
        if isinstance(via, _Pending):
            return [via]
        return list(self._pending.values())

    def answer(self, response: JSON, via: Any = None) -> None:
        """Send the client's response to a server-to-client request (HTTP overrides how)."""
        try:
            self.send(response)
        except WireError:
            return  # the server is gone; whoever waits on it will hear so

    def _failed(self, pending: _Pending, why: str) -> None:
        """The transport could not carry ``pending`` (connection refused, reset): its waiter raises WireError."""
        with self._cond:
            pending.failure = why
            self._cond.notify_all()

    def _broke(self, exc: BaseException, pending: _Pending | None = None) -> None:
        """mcptest's code raised ``exc`` in a thread carrying ``pending`` (every request, when None: the reader):
        its waiters raise WireBug instead of timing out as if the server were silent. Once the wire has ended, what
        its threads raise follows from that (httpx2 refuses a closed client with RuntimeError): waiters hear that it
        is gone."""
        with self._cond:
            if self.gone is not None:
                return
            if pending is not None:
                pending.bug = exc
            elif self.broken is None:
                self.broken = exc
            self._cond.notify_all()

    def _lost(self, why: str) -> None:
        """The connection ended: every waiter raises ServerGone with ``why``."""
        with self._cond:
            if self.gone is None:
                self.gone = why
            self._cond.notify_all()

    # -- the inbox: what no request was waiting for ------------------------------------------------------------

    def next_message(self, predicate: Callable[[Any], bool] = lambda _: True, timeout: float | None = None) -> Any:
        """Wait for (and take) the first inbox message satisfying ``predicate``; None when the deadline passes.

        Raises:
            ServerGone: the connection ended and no matching message is left.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._cond:
            while True:
                for index, message in enumerate(self._inbox):
                    if predicate(message):
                        del self._inbox[index]
                        return message
                if self.gone is not None:
                    raise ServerGone(self.gone)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def recv(self, timeout: float | None = None) -> Any:
        """The next inbox message (a response nobody waited for, a notification, a server request), or None."""
        return self.next_message(timeout=timeout)

    def stray_response(self, message: Any) -> bool:
        """True for a response that answers none of the requests this wire sent: not even a late answer to one it
        stopped waiting for (a timeout, an abandoned call), which also lands in the inbox."""
        if not is_response(message):
            return False
        rid = message.get("id")
        with self._cond:
            return rid is None or _id_key(rid) not in self._sent_ids

    def drain(self) -> list[Any]:
        """Take every message in the inbox now."""
        with self._cond:
            taken = list(self._inbox)
            self._inbox.clear()
        return taken

    def peek(self) -> list[Any]:
        """A copy of the inbox, leaving it as it is."""
        with self._cond:
            return list(self._inbox)

    def collect(self, duration: float, until: Callable[[Any], bool] | None = None) -> list[Any]:
        """Inbox messages arriving within ``duration`` seconds, stopping early at the first that satisfies ``until``."""
        seen: list[Any] = []
        deadline = time.monotonic() + duration
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.next_message(timeout=left)
            except ServerGone:
                break
            if message is None:
                break
            seen.append(message)
            if until is not None and until(message):
                break
        return seen

    # -- notifications and handshakes -------------------------------------------------------------------------

    def notify(self, method: str, params: JSON | None = None) -> None:
        """Send a notification."""
        message: JSON = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.observer.on_sent(self, message)
        self.send(message)

    def initialize(self, version: str, capabilities: JSON | None = None) -> Reply:
        """Run the handshake at ``version``: ``initialize`` then ``notifications/initialized``.

        The reply is returned whatever it holds; the negotiated version is recorded when it succeeded.
        """
        caps = self.client.capabilities if capabilities is None else capabilities
        reply = self.request(
            "initialize", {"protocolVersion": version, "capabilities": caps, "clientInfo": CLIENT_INFO}, envelope=False
        )
        if reply.ok and isinstance(reply.result, dict):
            self.initialize_result = reply.result
            negotiated = reply.result.get("protocolVersion")
            self.protocol_version = negotiated if isinstance(negotiated, str) else None
            self.on_initialized(reply)
            self.notify("notifications/initialized")
        return reply

    def use_modern(self, version: str, *, capabilities: JSON | None = None, log_level: str | None = None) -> None:
        """From now on, every request carries the 2026-07-28 envelope at ``version``."""
        caps = self.client.capabilities if capabilities is None else capabilities
        self.envelope = Envelope(version, caps, CLIENT_INFO, log_level)
        self.protocol_version = version

    def on_initialized(self, reply: Reply) -> None:
        """Hook for transports that keep state from the handshake (HTTP session ids)."""
