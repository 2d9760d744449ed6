"""Raw JSON-RPC over the legacy HTTP+SSE transport (2024-11-05): one GET event stream in, a POST per message out."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx2

from mcptest.wire.base import JSON, ServerGone, Wire, WireError, dumps
from mcptest.wire.events import Event, sse_events
from mcptest.wire.http import HttpExchange, _encode, _parse_json_body, _status_as_error, _why, shut

EVENT_STREAM = "text/event-stream"
_KEPT_EVENTS = 20
_KEPT_EXCHANGES = 50


class SseWire(Wire):
    """A client of the legacy HTTP+SSE transport that sends exactly what it is told to.

    A reader thread holds the GET event stream open from construction on: the ``endpoint`` event names
    the URI every message is POSTed to, and each ``message`` event carries one server message for the
    dispatcher. Sending waits (bounded by the timeout) for the endpoint. A request is POSTed in a thread
    of its own, so ``begin`` never blocks on the HTTP exchange; a POST that is refused (non-2xx) answers
    the request with an error standing for the HTTP status, so nobody waits out the timeout. Messages a
    server puts in a POST answer body instead of on the stream are delivered too and kept in
    ``body_messages`` (SSE-02 judges them).
    """

    transport = "sse"

    def __init__(self, url: str, timeout: float, *, headers: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(timeout, **kwargs)
        self.url = url
        self.extra_headers = dict(headers or {})
        self.stream_status: int | None = None
        self.stream_headers: dict[str, str] = {}
        self.stream_problem: str | None = None
        self.endpoint: str | None = None
        self.endpoint_data: str | None = None
        self.events: list[Event] = []
        self.garbage: list[str] = []
        self.body_messages: list[Any] = []
        self.exchanges: list[HttpExchange] = []
        self._client = httpx2.Client(timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)))
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._opened = threading.Event()
        self._stream: Any = None
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True, name="mcptest-sse-reader")
        self._reader.start()

    # -- the event stream ------------------------------------------------------------------------------------

    @property
    def stream_content_type(self) -> str:
        """The media type of the GET answer, lower-cased, without parameters."""
        return self.stream_headers.get("content-type", "").split(";")[0].strip().lower()

    def _read(self) -> None:
        headers = {"Accept": EVENT_STREAM, **self.extra_headers}
        why = "the server ended the SSE stream"
        try:
            with self._client.stream("GET", self.url, headers=headers,
                                     timeout=httpx2.Timeout(self.timeout, read=None)) as response:
                self._stream = response
                if self._closed:
                    return  # closed while connecting: close() found no stream to shut down
                self.stream_status, self.stream_headers = response.status_code, dict(response.headers)
                self.transcript.add("<", f"GET {self.url}: HTTP {response.status_code} {self.stream_content_type}")
                if response.status_code != 200:
                    body = _head(response)
                    why = f"GET {self.url} answered HTTP {response.status_code} {body!r}, not an SSE stream"
                    self.stream_problem = why
                    return
                for event in sse_events(response, math.inf):
                    if event.data:  # the event-stream format dispatches no event without data
                        self._on_event(event)
        except (httpx2.HTTPError, RuntimeError) as exc:  # RuntimeError: the client was closed meanwhile
            if not self._closed:
                reason = _why(exc) if isinstance(exc, httpx2.HTTPError) else str(exc)
                why = f"the SSE stream GET {self.url} failed: {reason}"
                self.stream_problem = self.stream_problem or why
        except Exception as exc:  # noqa: BLE001 - our bug: waiters raise WireBug, not a loss blamed on the server
            self._broke(exc)
        finally:
            if self.endpoint is None and self.stream_problem is None:
                self.stream_problem = f"{why} before sending an `endpoint` event"
            self._opened.set()
            self._lost("the connection was closed" if self._closed else why)

    def _on_event(self, event: Event) -> None:
        with self._lock:
            if len(self.events) < _KEPT_EVENTS:
                self.events.append(event)
        if event.event == "endpoint":
            self.transcript.add("<", f"event: endpoint {event.data}")
            if self.endpoint is None and self.endpoint_data is None:
                self.endpoint_data = event.data
                self.endpoint, self.stream_problem = _endpoint_uri(self.url, event.data)
                self._opened.set()
            return
        if event.event != "message":
            self.transcript.add("<", f"event: {event.event} {event.data[:200]}")
            return
        self.transcript.add("<", event.data)
        try:
            message = json.loads(event.data)
        except ValueError:
            with self._lock:
                if len(self.garbage) < _KEPT_EVENTS:
                    self.garbage.append(event.data)
            return
        self._deliver(message)

    def wait_endpoint(self, timeout: float | None = None) -> str:
        """The absolute URI messages are POSTed to, once the ``endpoint`` event came.

        Raises:
            ServerGone: the stream ended, or gave no usable endpoint within ``timeout`` (default: the wire's).
        """
        limit = self.timeout if timeout is None else timeout
        if not self._opened.wait(limit):
            raise self._gone(f"GET {self.url} sent no `endpoint` event within {limit:g} s (--mcp-timeout); "
                             "an HTTP+SSE server MUST send it, naming the URI to POST messages to (SSE-01)")
        if self.endpoint is None:
            raise self._gone(self.stream_problem or f"GET {self.url} gave no usable `endpoint` event")
        if self.gone is not None:
            raise self._gone(self.gone)
        return self.endpoint

    def _gone(self, why: str) -> ServerGone:
        gone = ServerGone(why)
        gone.wire = self
        return gone

    # -- sending ------------------------------------------------------------------------------------------------

    def post_headers(self) -> dict[str, str]:
        """Headers every POST carries: the JSON content type, what we accept, the user's extras."""
        return {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                **self.extra_headers}

    def send(self, message: Any) -> None:
        """POST one message nobody waits on (a notification, a response, raw bytes)."""
        content, text = _encode(message)
        endpoint = self.wait_endpoint()
        self.transcript.add(">", text)
        exchange = self._post(endpoint, content, self.post_headers(), self.timeout)
        self._keep(exchange)

    def _send_request(self, message: JSON, pending: Any) -> None:
        endpoint = self.wait_endpoint()
        self.transcript.add(">", dumps(message))
        self._spawn(self._post_request, endpoint, message, pending)

    def _post_request(self, endpoint: str, message: JSON, pending: Any) -> None:
        rid = message.get("id")
        try:
            exchange = self._post(endpoint, dumps(message).encode("utf-8"), self.post_headers(), self.timeout)
        except WireError as exc:
            self._failed(pending, str(exc))
            return
        answered = self._keep(exchange, via=pending)
        if not 200 <= exchange.status < 300 and not any(_answers(m, rid) for m in answered):
            self._deliver(_status_as_error(exchange, rid), via=pending)

    def answer(self, response: JSON, via: Any = None) -> None:
        """POST the client's response to a server-to-client request (in a thread: the reader must go on)."""
        self._spawn(self._answer, response)

    def _answer(self, response: JSON) -> None:
        try:
            self.send(response)
        except WireError:
            return  # the server is gone or refused it: whoever waits on it will hear so

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="mcptest-sse-post")
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _keep(self, exchange: HttpExchange, via: Any = None) -> list[Any]:
        """Record a POST answer; JSON-RPC messages in its body are delivered (and kept for SSE-02)."""
        with self._lock:
            self.exchanges.append(exchange)
            del self.exchanges[:-_KEPT_EXCHANGES]
            if 200 <= exchange.status < 300:
                self.body_messages.extend(exchange.messages[: _KEPT_EVENTS - len(self.body_messages)])
        self.transcript.add("<", exchange.summary())
        if 200 <= exchange.status < 300:
            for message in exchange.messages:
                self._deliver(message, via=via)
        return exchange.messages

    def _post(self, url: str, content: bytes, headers: Mapping[str, str], timeout: float) -> HttpExchange:
        try:
            response = self._client.post(url, content=content, headers=dict(headers), timeout=timeout)
        except httpx2.HTTPError as exc:
            raise WireError(f"POST {url} failed: {_why(exc)}") from None
        except RuntimeError:  # closed meanwhile by another thread
            raise WireError(f"POST {url} failed: the connection was closed") from None
        exchange = HttpExchange("POST", response.status_code, dict(response.headers),
                                text=response.content.decode("utf-8", "replace"))
        _parse_json_body(exchange)
        return exchange

    def post(
        self,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        replace_headers: bool = False,
        url: str | None = None,
        timeout: float | None = None,
    ) -> HttpExchange:
        """POST ``body`` (bytes, str or a JSON value) and return the HTTP answer, for status-level checks.

        Args:
            body: what to send.
            headers: headers to add (or, with ``replace_headers``, the only headers).
            replace_headers: send exactly ``headers`` instead of the usual set plus ``headers``.
            url: where to POST (default: the endpoint the stream named).
            timeout: deadline for the answer (default: the wire's timeout).

        Messages in the answer body are not delivered: the caller judges the exchange.
        """
        content, text = _encode(body)
        target = url or self.wait_endpoint()
        sent = dict(headers or {}) if replace_headers else {**self.post_headers(), **(headers or {})}
        self.transcript.add(">", f"POST {target} {text}")
        exchange = self._post(target, content, sent, self.timeout if timeout is None else timeout)
        self.transcript.add("<", exchange.summary())
        return exchange

    # -- the end ------------------------------------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._lost("the connection was closed")
        shut(self._stream)
        self._reader.join(timeout=2.0)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=0.2)
        self._client.close()

    def describe(self) -> str:
        stream = (f"SSE stream {self.url}: HTTP {self.stream_status} {self.stream_content_type or '(no content type)'}"
                  if self.stream_status is not None else f"no answer to GET {self.url} yet")
        if self.stream_problem:
            stream += f" ({self.stream_problem})"
        last = f"; last POST answer: {self.exchanges[-1].summary()}" if self.exchanges else ""
        return stream + last


def _answers(message: Any, rid: Any) -> bool:
    return isinstance(message, dict) and "method" not in message and message.get("id") == rid


def _endpoint_uri(stream_url: str, data: str) -> tuple[str | None, str | None]:
    """The absolute POST URI an ``endpoint`` event names, or None and why it names none."""
    text = data.strip()
    if not text or any(c.isspace() for c in text):
        return None, f"the `endpoint` event's data {data[:200]!r} is not a URI"
    resolved = urljoin(stream_url, text)
    parts = urlsplit(resolved)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None, f"the `endpoint` event names {text[:200]!r}, which is not an http(s) URI (resolved: {resolved!r})"
    return resolved, None


def _head(response: httpx2.Response, limit: int = 300) -> str:
    """The start of a response body, read no further than ``limit`` bytes (a refusal may stream forever)."""
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= limit:
            break
    return data[:limit].decode("utf-8", "replace")


def legacy_endpoint(url: str, headers: Mapping[str, str], timeout: float) -> str | None:
    """The ``endpoint`` event data when ``url`` answers a GET like a legacy HTTP+SSE server, else None."""
    wire = SseWire(url, timeout, headers=headers)
    try:
        wire.wait_endpoint(timeout)
    except WireError:
        return None
    finally:
        wire.close()
    return wire.endpoint_data
