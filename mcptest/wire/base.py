"""The transport-independent part of a raw wire: ids, request/response matching, the transcript."""

from __future__ import annotations

import itertools
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
CLIENT_INFO = {"name": "mcptest", "version": "0.1.0"}


class WireError(RuntimeError):
    """The channel failed (connection refused, server gone); the message says how."""


class RequestTimeout(WireError):
    """No response arrived within the deadline."""

    def __init__(self, method: str, timeout: float, sent: str) -> None:
        super().__init__(f"no response to {method!r} within {timeout:g} s (--mcp-timeout); sent: {sent}")
        self.method = method
        self.timeout = timeout
        self.sent = sent


@dataclass(frozen=True)
class Frame:
    """One message on the wire, as text, with its direction (``>`` sent, ``<`` received)."""

    direction: str
    text: str
    at: float


class Transcript:
    """The last frames exchanged, for failure messages (bounded)."""

    def __init__(self, limit: int = 40) -> None:
        self._frames: list[Frame] = []
        self._limit = limit
        self._lock = threading.Lock()

    def add(self, direction: str, text: str) -> None:
        with self._lock:
            self._frames.append(Frame(direction, text, time.monotonic()))
            del self._frames[: -self._limit]

    def tail(self, count: int = 8, width: int = 400) -> str:
        """The last ``count`` frames, one per line, each cut to ``width`` characters."""
        with self._lock:
            frames = self._frames[-count:]
        return "\n".join(f"  {f.direction} {_cut(f.text, width)}" for f in frames)


def _cut(text: str, width: int) -> str:
    text = text.rstrip("\n")
    return text if len(text) <= width else text[: width - 3] + "..."


def dumps(message: Any) -> str:
    """Compact JSON for the wire (UTF-8, no ASCII escaping: MCP stdio is UTF-8)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Reply:
    """The response to one request plus what the server sent on the way.

    Attributes:
        request: the request that was sent.
        response: the JSON-RPC response object (``result`` or ``error``).
        notifications: notifications received before the response.
        requests: server-to-client requests received before the response.
    """

    request: JSON
    response: JSON
    notifications: list[JSON] = field(default_factory=list)
    requests: list[JSON] = field(default_factory=list)

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
    """True for a JSON-RPC response (has ``id`` and ``result``/``error``, no ``method``)."""
    return isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)


class Wire(ABC):
    """A raw JSON-RPC channel. Subclasses move bytes; this class matches requests to responses."""

    transport: str = ""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.transcript = Transcript()
        self.protocol_version: str | None = None
        self.initialize_result: JSON | None = None
        self.unsolicited: list[JSON] = []
        self._ids = itertools.count(1)

    @abstractmethod
    def send(self, message: Any) -> None:
        """Send one message: a dict/list is JSON-encoded; ``bytes``/``str`` go out as they are."""

    @abstractmethod
    def recv(self, timeout: float | None = None) -> Any:
        """The next message from the server, or None when nothing arrived in time."""

    @abstractmethod
    def close(self) -> None:
        """End the connection (and, when we started it, the server)."""

    @abstractmethod
    def describe(self) -> str:
        """Diagnostics for failure messages: server stderr tail, HTTP status, and so on."""

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
    ) -> Reply:
        """Send a request and wait for its response, collecting what arrives on the way.

        Raises:
            RequestTimeout: no response with this id within the timeout.
        """
        rid = self.next_id() if id is None else id
        message: JSON = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None or meta:
            message["params"] = dict(params or {})
            if meta:
                message["params"]["_meta"] = {**message["params"].get("_meta", {}), **meta}
        return self.exchange(message, timeout=timeout)

    def exchange(self, message: JSON, *, timeout: float | None = None) -> Reply:
        """Send a prepared request object and wait for the response with its id."""
        self.send(message)
        return self.wait_response(message, timeout=timeout)

    def wait_response(self, message: JSON, *, timeout: float | None = None) -> Reply:
        """Wait for the response to an already-sent request."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        reply = Reply(request=message, response={})
        rid = message.get("id")
        while (left := deadline - time.monotonic()) > 0:
            incoming = self.recv(left)
            if incoming is None:
                continue
            if is_response(incoming) and _loosely_same_id(incoming.get("id"), rid):
                reply.response = incoming
                return reply
            self._route(incoming, reply)
        raise RequestTimeout(str(message.get("method")), limit, dumps(message))

    def _route(self, incoming: Any, reply: Reply) -> None:
        if isinstance(incoming, dict) and "method" in incoming and "id" in incoming:
            reply.requests.append(incoming)
            self.answer_server_request(incoming)
        elif isinstance(incoming, dict) and "method" in incoming:
            reply.notifications.append(incoming)
        else:
            self.unsolicited.append(incoming)

    def answer_server_request(self, request: JSON) -> None:
        """Answer a server-to-client request: ``ping`` with ``{}``, anything else with -32601."""
        if request.get("method") == "ping":
            self.send({"jsonrpc": "2.0", "id": request["id"], "result": {}})
        else:
            error = {"code": -32601, "message": f"mcptest declared no capability for {request.get('method')}"}
            self.send({"jsonrpc": "2.0", "id": request["id"], "error": error})

    def notify(self, method: str, params: JSON | None = None) -> None:
        """Send a notification."""
        message: JSON = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def collect(self, duration: float, until: Callable[[Any], bool] | None = None) -> list[Any]:
        """Everything the server sends during ``duration`` seconds, or until a message satisfies ``until``."""
        seen = []
        deadline = time.monotonic() + duration
        while (left := deadline - time.monotonic()) > 0:
            incoming = self.recv(left)
            if incoming is not None:
                seen.append(incoming)
                if until is not None and until(incoming):
                    break
        return seen

    def initialize(self, version: str, capabilities: JSON | None = None) -> Reply:
        """Run the handshake at ``version``: ``initialize`` then ``notifications/initialized``.

        The reply is returned whatever it holds; the negotiated version is recorded when it succeeded.
        """
        reply = self.request(
            "initialize",
            {"protocolVersion": version, "capabilities": capabilities or {}, "clientInfo": CLIENT_INFO},
        )
        if reply.ok and isinstance(reply.result, dict):
            self.initialize_result = reply.result
            negotiated = reply.result.get("protocolVersion")
            self.protocol_version = negotiated if isinstance(negotiated, str) else None
            self.on_initialized(reply)
            self.notify("notifications/initialized")
        return reply

    def on_initialized(self, reply: Reply) -> None:
        """Hook for transports that keep state from the handshake (HTTP session ids)."""


def same_id(a: Any, b: Any) -> bool:
    """JSON-RPC id equality that keeps types apart (1 != "1", 1 != True)."""
    return type(a) is type(b) and a == b


def _loosely_same_id(a: Any, b: Any) -> bool:
    """Id equality up to JSON type, so a server that echoes ``"1"`` for ``1`` still gets its answer
    matched (BASE-02 reports the type change; other checks go on)."""
    return same_id(a, b) or (a is not None and b is not None and str(a) == str(b))
