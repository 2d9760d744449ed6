"""SSE parsing of streamable HTTP answers: events, comments, priming events and line endings."""

from __future__ import annotations

import json
import time

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
    chunks = [b"id: 0\r\ndata:\r\n\r", b"\n: keep-alive\r", b"\ndata: {\"jsonrpc\":\"2.0\",", b"\"id\":2,\"result\":{}}\r\n\r\n"]
    exchange = HttpExchange("POST", 200, {})
    _read_sse(_stream(chunks), exchange, 2, time.monotonic() + 5)
    assert exchange.messages == [{"jsonrpc": "2.0", "id": 2, "result": {}}]


def test_non_json_data_is_kept_as_garbage() -> None:
    exchange = HttpExchange("POST", 200, {})
    _read_sse(_stream([b"data: not json\n\n"]), exchange, None, time.monotonic() + 5)
    assert exchange.messages == [] and exchange.garbage == ["not json"]
