"""SSE parsing of streamable HTTP answers, and the legacy HTTP+SSE wire against a small scripted server."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2

from mcptest.wire.http import HttpExchange, _read_sse


def _stream(chunks: list[bytes]) -> httpx2.Response:
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks))


def test_json_with_unicode_line_separators_is_one_event() -> None:
    message = {"jsonrpc": "2.0", "id": 1, "result": {"text": "a\u0085b\u2028c\x0cd"}}
    body = f"event: message\ndata: {json.dumps(message, ensure_ascii=False)}\n\n".encode()
    exchange = HttpExchange("POST", 200, {})
    _read_sse(_stream([body]), exchange, 1, time.monotonic() + 5)
    assert exchange.messages == [message]


def test_crlf_split_across_chunks_priming_events_and_comments() -> None:
    chunks = [b"id: 0\r\ndata:\r\n\r", b"\n: keep-alive\r", b"\ndata: {\"jsonrpc\":\"2.0\",",
              b"\"id\":2,\"result\":{}}\r\n\r\n"]
    exchange = HttpExchange("POST", 200, {})
    _read_sse(_stream(chunks), exchange, 2, time.monotonic() + 5)
    assert exchange.messages == [{"jsonrpc": "2.0", "id": 2, "result": {}}]


def test_non_json_data_is_kept_as_garbage() -> None:
    exchange = HttpExchange("POST", 200, {})
    _read_sse(_stream([b"data: not json\n\n"]), exchange, None, time.monotonic() + 5)
    assert exchange.messages == [] and exchange.garbage == ["not json"]


# -- the legacy HTTP+SSE wire (mcptest.wire.sse) against a small scripted server ------------------------------------

import queue  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import pytest  # noqa: E402

from mcptest.launch.wait import wait_until  # noqa: E402
from mcptest.wire.base import ServerGone  # noqa: E402
from mcptest.wire.http import HTTP_STATUS_KEY  # noqa: E402
from mcptest.wire.sse import SseWire, _endpoint_uri  # noqa: E402


class Scripted(ThreadingHTTPServer):
    """GET /sse streams events from ``events``; POST /messages answers by ``method`` (see ``Handler.do_POST``)."""

    daemon_threads = True

    def __init__(self, endpoint: str | None = "/messages?session_id=abc") -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.endpoint = endpoint
        self.refuse_stream = False
        self.events: queue.Queue[str | None] = queue.Queue()
        self.posted: list[Any] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sse"

    def push(self, message: dict[str, Any]) -> None:
        self.events.put(f"event: message\ndata: {json.dumps(message)}\n\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Scripted

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.server.refuse_stream:
            return self._answer(403, b"forbidden origin", "text/plain")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.server.endpoint is not None:
            self.wfile.write(f": hello\n\nevent: endpoint\ndata: {self.server.endpoint}\n\n".encode())
        self.wfile.flush()
        try:
            while (event := self.server.events.get()) is not None:
                self.wfile.write(event.encode())
                self.wfile.flush()
        except OSError:
            pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.posted.append(body)
        method, rid = body.get("method"), body.get("id")
        if method == "refuse":
            return self._answer(500, b"boom", "text/plain")
        if method == "in-body":
            return self._answer(200, json.dumps({"jsonrpc": "2.0", "id": rid, "result": {"in": "body"}}).encode())
        self._answer(202, b"Accepted", "text/plain")
        if method == "ask":
            self.server.push({"jsonrpc": "2.0", "id": "s1", "method": "ping"})
        if method is not None:
            self.server.push({"jsonrpc": "2.0", "id": rid, "result": {"echo": method}})

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(endpoint: str | None = "/messages?session_id=abc") -> Iterator[Scripted]:
    server = Scripted(endpoint)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.events.put(None)
        server.shutdown()
        server.server_close()


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    yield from serve()


def test_endpoint_uri_resolves_against_the_stream_and_rejects_what_is_no_uri() -> None:
    assert _endpoint_uri("http://h:1/a/sse", "/messages/?session_id=1") == ("http://h:1/messages/?session_id=1", None)
    assert _endpoint_uri("http://h:1/a/sse", "msg?x=1")[0] == "http://h:1/a/msg?x=1"
    assert _endpoint_uri("http://h:1/sse", "https://other:2/m")[0] == "https://other:2/m"
    for bad in ("", "  ", "/two words", "mailto:x@y"):
        uri, why = _endpoint_uri("http://h:1/sse", bad)
        assert uri is None and why


def test_requests_are_posted_to_the_endpoint_and_answered_from_the_stream(scripted: Scripted) -> None:
    wire = SseWire(scripted.url, 5.0)
    try:
        assert wire.wait_endpoint() == scripted.url.replace("/sse", "/messages?session_id=abc")
        assert wire.request("tools/list").result == {"echo": "tools/list"}
        assert wire.request("in-body").result == {"in": "body"}  # delivered, and kept for SSE-02 to judge
        assert wire.body_messages and wire.body_messages[0]["result"] == {"in": "body"}
        refused = wire.request("refuse")
        assert refused.error_code == -32603 and refused.response[HTTP_STATUS_KEY] == 500
        assert [e.event for e in wire.events][:1] == ["endpoint"]
    finally:
        wire.close()


def test_server_requests_are_answered_by_post(scripted: Scripted) -> None:
    wire = SseWire(scripted.url, 5.0)
    try:
        wire.request("ask")
        asked = wire.next_message(lambda m: isinstance(m, dict) and m.get("method") == "ping", timeout=5)
        assert asked == {"jsonrpc": "2.0", "id": "s1", "method": "ping"}
        answered = wait_until(lambda: {"jsonrpc": "2.0", "id": "s1", "result": {}} in scripted.posted, 5.0)
        assert answered is None, answered
    finally:
        wire.close()


def test_close_ends_an_idle_stream_at_once(scripted: Scripted) -> None:
    wire = SseWire(scripted.url, 5.0)
    wire.wait_endpoint()
    started = time.monotonic()
    wire.close()
    assert not wire._reader.is_alive() and time.monotonic() - started < 2.0
    with pytest.raises(ServerGone):
        wire.request("ping")


def test_a_stream_without_endpoint_event_fails_within_the_timeout() -> None:
    for server in serve(endpoint=None):
        wire = SseWire(server.url, 0.5)
        try:
            started = time.monotonic()
            with pytest.raises(ServerGone, match="no `endpoint` event within 0.5 s.*SSE-01"):
                wire.request("ping")
            assert time.monotonic() - started < 3.0
        finally:
            wire.close()


def test_an_unusable_endpoint_or_a_refused_stream_says_why() -> None:
    for server in serve(endpoint="not a uri"):
        wire = SseWire(server.url, 5.0)
        try:
            with pytest.raises(ServerGone, match="is not a URI"):
                wire.wait_endpoint()
        finally:
            wire.close()
    for server in serve():
        server.refuse_stream = True
        wire = SseWire(server.url, 5.0)
        try:
            with pytest.raises(ServerGone, match="answered HTTP 403 'forbidden origin', not an SSE stream"):
                wire.wait_endpoint()
            assert wire.stream_status == 403
        finally:
            wire.close()
    wire = SseWire("http://127.0.0.1:9/sse", 5.0)
    try:
        with pytest.raises(ServerGone, match="connection refused"):
            wire.wait_endpoint()
    finally:
        wire.close()
