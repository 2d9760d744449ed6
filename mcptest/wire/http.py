"""Raw JSON-RPC over streamable HTTP: POST any body, read JSON or SSE answers with a deadline."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from mcptest.wire.base import JSON, Wire, WireError, dumps
from mcptest.wire.envelope import routing_headers
from mcptest.wire.events import StreamState, StreamTimeout, read_events

ACCEPT_BOTH = "application/json, text/event-stream"
VERSION_HEADER_FROM = "2025-06-18"


@dataclass
class HttpExchange:
    """One HTTP request/response: status, headers, the JSON-RPC messages found in the body."""

    method: str
    status: int
    headers: Mapping[str, str]
    messages: list[Any] = field(default_factory=list)
    text: str = ""
    garbage: list[str] = field(default_factory=list)
    stream: StreamState = field(default_factory=StreamState)

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def summary(self) -> str:
        """One line for failure messages."""
        body = self.text if len(self.text) < 300 else self.text[:297] + "..."
        return f"HTTP {self.status} {self.content_type or '(no content type)'} {body!r}"


class HttpWire(Wire):
    """A streamable HTTP client that sends exactly what it is told to.

    Every request is its own POST in its own thread; the messages of its answer (a JSON body or SSE events)
    go to the dispatcher with that request as their stream, so notifications and server requests are
    attributed to the request that caused them. ``post`` does one synchronous exchange for checks that
    judge statuses and headers. On a modern (2026-07-28) wire every POST also carries the routing headers
    that mirror its body.
    """

    transport = "http"

    def __init__(self, url: str, timeout: float, *, headers: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(timeout, **kwargs)
        self.url = url
        self.extra_headers = dict(headers or {})
        self.session_id: str | None = None
        self.tool_schemas: dict[str, Any] = {}
        self.exchanges: list[HttpExchange] = []
        self._client = httpx2.Client(timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)))
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._closed = False
        self._open: set[httpx2.Response] = set()  # streaming answers being read: close() shuts their sockets

    def base_headers(self, message: Any = None) -> dict[str, str]:
        """Headers a POST carries: content negotiation, session, protocol version
        (or the 2026 routing headers), extras."""
        headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
        if self.envelope is not None:
            headers.update(routing_headers(message, self.envelope.version, self.tool_schemas))
        else:
            if self.session_id:
                headers["Mcp-Session-Id"] = self.session_id
            if self.protocol_version and self.protocol_version >= VERSION_HEADER_FROM:
                headers["MCP-Protocol-Version"] = self.protocol_version
        return {**headers, **self.extra_headers}

    def send(self, message: Any) -> None:
        """POST a message nobody waits on (notification, response, raw bytes); anything answered goes to the inbox."""
        content, text = _encode(message)
        self.transcript.add(">", text)
        try:
            exchange = self.post(content, headers=self.base_headers(message), replace_headers=True, record=False)
        except WireError:
            raise
        self._record(exchange)
        for item in exchange.messages:
            self.transcript.add("<", dumps(item))
            self._deliver(item)

    def _send_request(self, message: JSON, pending: Any) -> None:
        self.transcript.add(">", dumps(message))
        thread = threading.Thread(target=self._post_request, args=(message, pending), daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _post_request(self, message: JSON, pending: Any) -> None:
        try:
            self._carry(message, pending)
        except Exception as exc:  # noqa: BLE001 - our bug: the waiter gets WireBug, not a timeout blamed on the server
            self._broke(exc, pending)

    def _carry(self, message: JSON, pending: Any) -> None:
        content = dumps(message).encode("utf-8")
        rid = message.get("id")
        initialize = message.get("method") == "initialize" and self.envelope is None
        try:
            # the session id is taken from the headers before any message of the body is delivered: whoever waits
            # for the initialize result sends its next request with it at once
            exchange = self.post(content, headers=self.base_headers(message), replace_headers=True, record=False,
                                 until_id=rid, timeout=pending.cap - pending.started,
                                 on_message=lambda item: self._deliver(item, via=pending),
                                 on_headers=self._take_session if initialize else None)
        except WireError as exc:
            self._failed(pending, str(exc))
            return
        self._record(exchange)
        if _answers(exchange, rid):
            return
        if exchange.content_type == "text/event-stream" and exchange.stream.last_event_id is not None:
            resumed = self._resume(exchange, rid, pending)
            if resumed is None or _answers(resumed, rid):
                return
            exchange = resumed
        self._deliver(_status_as_error(exchange, rid), via=pending)

    def _take_session(self, exchange: HttpExchange) -> None:
        self.session_id = exchange.headers.get("mcp-session-id") or self.session_id

    def _resume(self, cut: HttpExchange, rid: Any, pending: Any) -> HttpExchange | None:
        """Resume a stream the server closed before the response: wait its ``retry``, then GET with Last-Event-ID.

        The spec (2025-11-25) lets a server close the connection without ending the stream once it sent an event id;
        the client then polls. Returns the last resumed exchange, or None when the wire closed meanwhile.
        """
        state, deadline = cut.stream, pending.cap
        exchange = cut
        while state.last_event_id is not None and time.monotonic() < deadline:
            if self._stopped.wait((state.retry_ms or 0) / 1000):
                return None
            before = (state.last_event_id, state.events)
            headers = {k: v for k, v in self.base_headers().items() if k not in ("Content-Type", "Mcp-Method")}
            headers.update({"Accept": "text/event-stream", "Last-Event-ID": state.last_event_id})
            self.transcript.add(">", f"GET {self.url} (Last-Event-ID: {state.last_event_id})")
            try:
                with self._stream("GET", headers=headers, timeout=max(deadline - time.monotonic(), 0.1)) as response:
                    exchange = HttpExchange("GET", response.status_code, dict(response.headers), stream=state)
                    if response.status_code != 200 or exchange.content_type != "text/event-stream":
                        exchange.text = _read(response)
                        return exchange
                    _read_sse(response, exchange, rid, deadline, lambda m: self._deliver(m, via=pending))
            except httpx2.HTTPError:
                return exchange
            self._record(exchange)
            if _answers(exchange, rid) or (state.last_event_id, state.events) == before:
                return exchange
        return exchange

    def _record(self, exchange: HttpExchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)
            del self.exchanges[:-50]

    def answer(self, response: JSON, via: Any = None) -> None:
        """POST the client's response to a server-to-client request
        (in a thread: the request's stream is still open)."""
        thread = threading.Thread(target=self._answer, args=(response,), daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _answer(self, response: JSON) -> None:
        try:
            self.send(response)
        except WireError:
            return  # the server is gone or refused it: the pending request will tell

    def post(
        self,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        replace_headers: bool = False,
        until_id: Any = None,
        record: bool = True,
        timeout: float | None = None,
        on_message: Any = None,
        on_headers: Callable[[HttpExchange], None] | None = None,
    ) -> HttpExchange:
        """POST ``body`` (bytes, str, or a JSON value) and read the whole answer.

        Args:
            body: what to send.
            headers: headers to add (or, with ``replace_headers``, the only headers).
            replace_headers: send exactly ``headers`` instead of the usual set plus ``headers``.
            until_id: stop reading an SSE answer once the response with this id arrived.
            record: keep the exchange in ``exchanges`` and the transcript.
            timeout: overall deadline (defaults to the wire's timeout).
            on_message: called with each JSON-RPC message as it arrives.
            on_headers: called with the exchange once its status and headers arrived, before its body is read.

        Raises:
            WireError: the connection failed or the answer did not finish within the deadline.
        """
        content, text = _encode(body)
        parsed = body if isinstance(body, (dict, list)) else None
        sent = dict(headers or {}) if replace_headers else {**self.base_headers(parsed), **(headers or {})}
        if record:
            self.transcript.add(">", text)
        exchange = self._request("POST", sent, content, until_id, timeout, on_message, on_headers)
        if record:
            self._record(exchange)
            self.transcript.add("<", exchange.summary())
        return exchange

    def http(self, method: str, *, headers: Mapping[str, str] | None = None,
             timeout: float | None = None) -> HttpExchange:
        """A bodiless request (GET, DELETE, ...) that reads only the status and headers of the answer."""
        base = {k: v for k, v in self.base_headers().items() if k not in ("Content-Type", "Mcp-Method")}
        sent = {**base, **(headers or {})}
        deadline = self.timeout if timeout is None else timeout
        try:
            with self._stream(method, headers=sent, timeout=deadline) as response:
                text = ("" if response.headers.get("content-type", "").startswith("text/event-stream")
                        else _read(response))
                exchange = HttpExchange(method, response.status_code, dict(response.headers), text=text)
        except httpx2.HTTPError as exc:
            raise WireError(f"{method} {self.url} failed: {_why(exc)}") from None
        self.transcript.add(">", f"{method} {self.url}")
        self.transcript.add("<", exchange.summary())
        return exchange

    def _request(
        self, method: str, headers: Mapping[str, str], content: bytes, until_id: Any, timeout: float | None,
        on_message: Any = None, on_headers: Callable[[HttpExchange], None] | None = None,
    ) -> HttpExchange:
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        try:
            with self._stream(method, headers=headers, content=content, timeout=limit) as response:
                exchange = HttpExchange(method, response.status_code, dict(response.headers))
                if on_headers is not None:
                    on_headers(exchange)
                if exchange.content_type == "text/event-stream":
                    _read_sse(response, exchange, until_id, deadline, on_message)
                else:
                    exchange.text = _read(response)
                    _parse_json_body(exchange)
                    for item in exchange.messages if on_message else ():
                        on_message(item)
                if on_message:
                    for item in exchange.messages:
                        self.transcript.add("<", dumps(item))
                return exchange
        except httpx2.HTTPError as exc:
            raise WireError(f"POST {self.url} failed: {_why(exc)}") from None

    @contextlib.contextmanager
    def _stream(self, method: str, **kwargs: Any) -> Iterator[httpx2.Response]:
        """``Client.stream`` to the wire's URL, the answer kept in ``_open`` while it is read."""
        with self._client.stream(method, self.url, **kwargs) as response:
            with self._lock:
                self._open.add(response)
            try:
                yield response
            finally:
                with self._lock:
                    self._open.discard(response)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stopped.set()
        if self.session_id and self.envelope is None:
            try:
                self.http("DELETE", timeout=min(self.timeout, 5.0))
            except WireError:
                pass  # the server may already be gone; closing must not fail the run
        self._lost("the connection was closed")
        with self._lock:
            reading = list(self._open)
        for response in reading:  # closing the client alone leaves a socket a thread still reads open: no FIN is
            shut(response)        # sent, and a server waiting for its connections to close (uvicorn) never ends
        self._client.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=0.2)

    def describe(self) -> str:
        if not self.exchanges:
            return f"no HTTP exchange completed with {self.url}"
        return f"last HTTP answer: {self.exchanges[-1].summary()}"

    def on_initialized(self, reply: Any) -> None:
        if self.exchanges and not self.session_id:
            self.session_id = self.exchanges[-1].headers.get("mcp-session-id")


def _answers(exchange: HttpExchange, rid: Any) -> bool:
    """True when ``exchange`` carried the response to request ``rid``."""
    return any(isinstance(m, dict) and "method" not in m and m.get("id") == rid for m in exchange.messages)


def _encode(body: Any) -> tuple[bytes, str]:
    """``body`` as the bytes to POST and as text for the transcript."""
    if isinstance(body, bytes):
        return body, body.decode("utf-8", "replace")
    if isinstance(body, str):
        return body.encode("utf-8"), body
    text = dumps(body)
    return text.encode("utf-8"), text


HTTP_STATUS_KEY = "mcptestHttpStatus"


def _status_as_error(exchange: HttpExchange, rid: Any) -> JSON:
    """A JSON-RPC error standing for an HTTP answer that carried no response to request ``rid``.

    An HTTP 4xx (e.g. "missing session") answers the request at the transport level; checks see it
    as an error response whose code comes from the body when there is one.
    """
    body_error = next((m["error"] for m in exchange.messages
                       if isinstance(m, dict) and isinstance(m.get("error"), dict)), None)
    error = (dict(body_error) if body_error
             else {"code": -32603, "message": f"HTTP {exchange.status} with no JSON-RPC response"})
    error.setdefault("data", None)
    return {"jsonrpc": "2.0", "id": rid, "error": error, HTTP_STATUS_KEY: exchange.status}


def _why(exc: httpx2.HTTPError) -> str:
    if isinstance(exc, httpx2.ConnectError):
        return "connection refused (is the server running and listening on that address?)"
    if isinstance(exc, httpx2.TimeoutException):
        return "timed out (raise --mcp-timeout if the server is just slow)"
    return f"{type(exc).__name__}: {exc}"


def _read(response: httpx2.Response) -> str:
    return response.read().decode("utf-8", "replace")


def _parse_json_body(exchange: HttpExchange) -> None:
    """Parse a JSON body, also one mislabelled with another content type (HTTP-01 judges the label)."""
    if not exchange.text.strip() or exchange.text.lstrip()[:1] not in ("{", "["):
        return
    try:
        value = json.loads(exchange.text)
    except ValueError:
        exchange.garbage.append(exchange.text)
        return
    exchange.messages.extend(value if isinstance(value, list) else [value])


def _read_sse(response: Any, exchange: HttpExchange, until_id: Any, deadline: float, on_message: Any = None) -> None:
    """Read an SSE answer into ``exchange`` until the response to ``until_id`` (or the end of the stream)."""

    def take(message: Any) -> None:
        exchange.messages.append(message)
        if on_message is not None:
            on_message(message)

    def answered(message: Any) -> bool:
        return (until_id is not None and isinstance(message, dict) and "method" not in message
                and message.get("id") == until_id)

    try:
        texts = read_events(response, deadline, exchange.stream, take, stop=answered)
    except StreamTimeout as exc:
        raise httpx2.ReadTimeout(str(exc)) from None
    exchange.garbage.extend(exchange.stream.garbage)
    exchange.text = "\n".join(texts)


def shut(response: httpx2.Response | None) -> None:
    """End a streaming response from another thread: shut its socket down, so a blocked read returns and the
    server sees the connection close."""
    if response is None:
        return
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the server: the reader has returned or is about to
