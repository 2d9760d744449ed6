"""Raw JSON-RPC over streamable HTTP: POST any body, read JSON or SSE answers with a deadline."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from mcptest.wire.base import JSON, Wire, WireError, dumps

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

    ``send`` posts in a background thread and queues every message of the answer (JSON body or SSE
    events) for ``recv``; ``post`` does one synchronous exchange for checks that judge statuses and
    headers.
    """

    transport = "http"

    def __init__(self, url: str, timeout: float, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(timeout)
        self.url = url
        self.extra_headers = dict(headers or {})
        self.session_id: str | None = None
        self.exchanges: list[HttpExchange] = []
        self._inbox: queue.Queue[Any] = queue.Queue()
        self._errors: list[str] = []
        self._client = httpx2.Client(timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)))
        self._threads: list[threading.Thread] = []
        self._closed = False

    def base_headers(self) -> dict[str, str]:
        """Headers every POST carries: content negotiation, session, protocol version, user extras."""
        headers = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH, **self.extra_headers}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version and self.protocol_version >= VERSION_HEADER_FROM:
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    def send(self, message: Any) -> None:
        body = message if isinstance(message, bytes) else (message.encode() if isinstance(message, str) else None)
        text = body.decode("utf-8", "replace") if body is not None else dumps(message)
        self.transcript.add(">", text)
        content = body if body is not None else text.encode("utf-8")
        waits = isinstance(message, dict) and "method" in message and "id" in message
        if not waits:
            self._post_into_inbox(content, None)
            return
        thread = threading.Thread(target=self._post_into_inbox, args=(content, message), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _post_into_inbox(self, content: bytes, message: JSON | None) -> None:
        try:
            exchange = self.post(content, until_id=message.get("id") if message else None, record=False)
        except WireError as exc:
            self._errors.append(str(exc))
            self._inbox.put(_FAILED)
            return
        if message and message.get("method") == "initialize":
            self.session_id = exchange.headers.get("mcp-session-id") or self.session_id
        self.exchanges.append(exchange)
        for item in exchange.messages:
            self.transcript.add("<", dumps(item))
            self._inbox.put(item)
        if message and not any(isinstance(m, dict) and m.get("id") == message.get("id") for m in exchange.messages):
            self._inbox.put(_status_as_error(exchange, message.get("id")))

    def recv(self, timeout: float | None = None) -> Any:
        try:
            item = self._inbox.get(timeout=max(self.timeout if timeout is None else timeout, 0.0))
        except queue.Empty:
            return None
        if item is _FAILED:
            raise WireError(self._errors[-1])
        return item

    def post(
        self,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        replace_headers: bool = False,
        until_id: Any = None,
        record: bool = True,
        timeout: float | None = None,
    ) -> HttpExchange:
        """POST ``body`` (bytes, str, or a JSON value) and read the whole answer.

        Args:
            body: what to send.
            headers: headers to add (or, with ``replace_headers``, the only headers).
            replace_headers: send exactly ``headers`` instead of the usual set plus ``headers``.
            until_id: stop reading an SSE answer once the response with this id arrived.
            record: keep the exchange in ``exchanges`` and the transcript.
            timeout: overall deadline (defaults to the wire's timeout).

        Raises:
            WireError: the connection failed or the answer did not finish within the deadline.
        """
        content = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else dumps(body).encode()
        sent = dict(headers or {}) if replace_headers else {**self.base_headers(), **(headers or {})}
        if record:
            self.transcript.add(">", content.decode("utf-8", "replace"))
        exchange = self._request("POST", sent, content, until_id, timeout)
        if record:
            self.exchanges.append(exchange)
            self.transcript.add("<", exchange.summary())
        return exchange

    def http(self, method: str, *, headers: Mapping[str, str] | None = None, timeout: float | None = None) -> HttpExchange:
        """A bodiless request (GET, DELETE, ...) that reads only the status and headers of the answer."""
        sent = {**{k: v for k, v in self.base_headers().items() if k != "Content-Type"}, **(headers or {})}
        deadline = self.timeout if timeout is None else timeout
        try:
            with self._client.stream(method, self.url, headers=sent, timeout=deadline) as response:
                text = "" if response.headers.get("content-type", "").startswith("text/event-stream") else _read(response)
                exchange = HttpExchange(method, response.status_code, dict(response.headers), text=text)
        except httpx2.HTTPError as exc:
            raise WireError(f"{method} {self.url} failed: {_why(exc)}") from None
        self.transcript.add(">", f"{method} {self.url}")
        self.transcript.add("<", exchange.summary())
        return exchange

    def _request(
        self, method: str, headers: Mapping[str, str], content: bytes, until_id: Any, timeout: float | None
    ) -> HttpExchange:
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        try:
            with self._client.stream(method, self.url, headers=headers, content=content, timeout=limit) as response:
                exchange = HttpExchange(method, response.status_code, dict(response.headers))
                if exchange.content_type == "text/event-stream":
                    _read_sse(response, exchange, until_id, deadline)
                else:
                    exchange.text = _read(response)
                    _parse_json_body(exchange)
                return exchange
        except httpx2.HTTPError as exc:
            raise WireError(f"POST {self.url} failed: {_why(exc)}") from None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.session_id:
            try:
                self.http("DELETE", timeout=min(self.timeout, 5.0))
            except WireError:
                pass  # the server may already be gone; closing must not fail the run
        for thread in self._threads:
            thread.join(timeout=0.1)
        self._client.close()

    def describe(self) -> str:
        if not self.exchanges:
            return f"no HTTP exchange completed with {self.url}"
        return f"last HTTP answer: {self.exchanges[-1].summary()}"

    def on_initialized(self, reply: Any) -> None:
        if self.exchanges and not self.session_id:
            self.session_id = self.exchanges[-1].headers.get("mcp-session-id")


_FAILED = object()
HTTP_STATUS_KEY = "mcptestHttpStatus"


def _status_as_error(exchange: HttpExchange, rid: Any) -> JSON:
    """A JSON-RPC error standing for an HTTP answer that carried no response to request ``rid``.

    An HTTP 4xx (e.g. "missing session") answers the request at the transport level; checks see it
    as an error response whose code comes from the body when there is one.
    """
    body_error = next((m["error"] for m in exchange.messages if isinstance(m, dict) and isinstance(m.get("error"), dict)), None)
    error = dict(body_error) if body_error else {"code": -32603, "message": f"HTTP {exchange.status} with no JSON-RPC response"}
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


def _read_sse(response: httpx2.Response, exchange: HttpExchange, until_id: Any, deadline: float) -> None:
    lines: list[str] = []
    for data in _sse_events(response, deadline):
        lines.append(data)
        try:
            message = json.loads(data)
        except ValueError:
            exchange.garbage.append(data)
            continue
        exchange.messages.append(message)
        if until_id is not None and isinstance(message, dict) and "method" not in message:
            if message.get("id") == until_id:
                break
    exchange.text = "\n".join(lines)


def _sse_lines(response: httpx2.Response) -> Iterator[str]:
    """Lines of an SSE body, split only at CR, LF or CRLF as the SSE format says (``iter_lines`` would
    also split at U+0085, U+2028 and other characters JSON may carry unescaped)."""
    pending = b""
    for chunk in response.iter_bytes():
        pending += chunk
        held = pending.endswith(b"\r")  # a CR at the end of a chunk may be the first half of a CRLF
        body = pending[:-1] if held else pending
        *lines, rest = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        pending = rest + (b"\r" if held else b"")
        for line in lines:
            yield line.decode("utf-8", "replace")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", "replace")


def _sse_events(response: httpx2.Response, deadline: float) -> Iterator[str]:
    """Yield the ``data`` of each SSE event with a non-empty payload (skips priming events and comments)."""
    data: list[str] = []
    for line in _sse_lines(response):
        if time.monotonic() > deadline:
            raise httpx2.ReadTimeout("SSE stream did not deliver the response in time")
        if not line:
            if data and "".join(data).strip():
                yield "\n".join(data)
            data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data and "".join(data).strip():
        yield "\n".join(data)
