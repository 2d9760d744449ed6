"""The wire's dispatcher: many threads on one connection, deadlines that progress extends up to a cap, the inbox."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from mcptest.connect import ServerHandle
from mcptest.launch.wait import wait_until
from mcptest.settings import Settings
from mcptest.target import parse_target
from mcptest.wire import RequestTimeout, Wire
from mcptest.wire.base import ServerGone
from tests.conftest import http_target, stdio_target

SLOW = {"name": "slow_count", "arguments": {"n": 10, "delay_ms": 100}}  # about 1 s, one progress step per 0.1 s


def _handle(transport: str, **settings: object) -> ServerHandle:
    if transport == "http":
        server, launch = http_target("clean_raw.py")
        chosen = Settings(server=server, launch=launch, **settings)  # type: ignore[arg-type]
    else:
        chosen = Settings(server=stdio_target("clean_raw.py"), **settings)  # type: ignore[arg-type]
    handle = ServerHandle(parse_target(chosen.server or "", launch=chosen.launch), chosen)
    handle.start()
    return handle


@pytest.fixture(params=["stdio", "http"])
def wire(request: pytest.FixtureRequest) -> Iterator[Wire]:
    handle = _handle(request.param, timeout=5.0)
    opened = handle.open()
    assert opened.initialize("2025-11-25").ok
    yield opened
    handle.close()


def test_requests_from_many_threads_on_one_connection_each_get_their_own_answer(wire: Wire) -> None:
    results: dict[int, object] = {}

    def add(n: int) -> None:
        reply = wire.request("tools/call", {"name": "add", "arguments": {"a": n, "b": 1000}})
        results[n] = reply.result["structuredContent"]

    threads = [threading.Thread(target=add, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {n: {"sum": n + 1000} for n in range(24)}


@pytest.mark.parametrize("window", [1, 3])
def test_exchange_all_keeps_window_requests_in_flight_and_answers_in_order(wire: Wire, window: int) -> None:
    calls = []
    begin = wire.begin

    def counted(message: dict, **kwargs: object) -> object:
        calls.append(begin(message, **kwargs))  # type: ignore[arg-type]
        in_flight.append(sum(not call.done for call in calls))
        return calls[-1]

    in_flight: list[int] = []
    wire.begin = counted  # type: ignore[method-assign]
    messages = [wire.message("tools/call", {"name": "add", "arguments": {"a": n, "b": 1}}) for n in range(9)]
    replies = wire.exchange_all(messages, window)
    assert [reply.result["structuredContent"] for reply in replies] == [{"sum": n + 1} for n in range(9)]
    assert max(in_flight) <= window


def test_progress_notifications_reach_their_own_request_only(wire: Wire) -> None:
    slow = wire.begin(wire.message("tools/call", SLOW))
    ping = wire.request("ping")
    reply = slow.wait()
    assert ping.ok and not [n for n in ping.notifications if n.get("method") == "notifications/progress"]
    tokens = {n["params"]["progressToken"] for n in reply.notifications if n.get("method") == "notifications/progress"}
    assert tokens == {slow.request["params"]["_meta"]["progressToken"]}


def test_a_call_only_watched_knows_how_long_its_answer_took(wire: Wire) -> None:
    slow = wire.begin(wire.message("tools/call", SLOW))
    assert slow.wait_for(lambda reply: bool(reply.response), 5.0)  # watched, never wait()ed
    assert slow.reply.ok and slow.reply.seconds > 0.5  # about 1 s of work (CANC-01's control call relies on this)
    ping = wire.begin(wire.message("ping"))
    assert ping.wait_for(lambda reply: bool(reply.response), 5.0)
    arrived = ping.reply.seconds
    wire.request("ping")  # time passes before anyone wait()s for the first ping
    assert 0 < arrived == ping.wait().seconds  # taken when the answer arrived, not when it was waited for


def test_late_progress_of_an_abandoned_request_goes_to_no_other_request(wire: Wire) -> None:
    first = wire.begin(wire.message("tools/call", SLOW))
    assert first.wait_for(lambda reply: bool(reply.notifications), 5.0)  # it runs and reports progress
    first.abandon()  # its progress keeps coming for about a second: the second call is pending meanwhile
    second = wire.begin(wire.message("tools/call", SLOW))
    reply = second.wait()
    tokens = {n["params"]["progressToken"] for n in reply.notifications if n.get("method") == "notifications/progress"}
    assert tokens == {second.request["params"]["_meta"]["progressToken"]}


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_progress_extends_the_deadline_and_silence_does_not(transport: str) -> None:
    handle = _handle(transport, timeout=5.0, progress_cap=30.0)
    try:
        wire = handle.open()
        assert wire.initialize("2025-11-25").ok
        wire.timeout = 0.4
        reply = wire.request("tools/call", SLOW)  # 1 s of work, never 0.4 s without news
        assert reply.ok and reply.seconds > 0.4
        with pytest.raises(RequestTimeout, match=r"within 0.4 s \(--mcp-timeout\)"):
            wire.request("tools/call", SLOW, progress=False)  # no token: nothing extends the deadline
    finally:
        handle.close()


def test_the_progress_cap_bounds_a_request_that_keeps_reporting() -> None:
    handle = _handle("stdio", timeout=0.9, progress_cap=0.95)  # the call sleeps 1 s in all: it can only end capped
    try:
        wire = handle.open()
        assert wire.initialize("2025-11-25").ok
        with pytest.raises(RequestTimeout, match=r"cap \(--mcp-progress-cap\), after \d+ progress notifications"):
            wire.request("tools/call", SLOW)
    finally:
        handle.close()


def test_the_inbox_keeps_what_no_request_waited_for(wire: Wire) -> None:
    wire.send({"jsonrpc": "2.0", "id": "nobody-waits", "method": "ping"})
    answer = wire.next_message(lambda m: isinstance(m, dict) and m.get("id") == "nobody-waits", timeout=5)
    assert answer == {"jsonrpc": "2.0", "id": "nobody-waits", "result": {}}
    assert wire.next_message(lambda m: m == "never", timeout=0.05) is None


def test_a_server_that_exits_fails_every_waiting_request_at_once() -> None:
    handle = _handle("stdio", timeout=30.0)
    try:
        wire = handle.open()
        assert wire.initialize("2025-11-25").ok
        slow = wire.begin(wire.message("tools/call", SLOW))
        wire.process.stop(grace=0.1)  # type: ignore[attr-defined]
        with pytest.raises(ServerGone):
            slow.wait()
    finally:
        handle.close()


def test_over_http_the_session_id_is_known_when_the_initialize_result_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """The initialize result wakes its waiter while the POST's thread still finishes the exchange; the next request,
    sent at once, must carry the session id (a loaded machine widened that window into a false BASE-04 failure)."""
    from mcptest.wire.http import HttpWire

    finish = threading.Event()
    post = HttpWire.post

    def late_post(self: HttpWire, body: object, **kwargs: object) -> object:
        exchange = post(self, body, **kwargs)  # type: ignore[arg-type]
        if b'"initialize"' in (body if isinstance(body, bytes) else b""):
            finish.wait(5.0)  # hold the initialize POST's thread until the test sent its next request (bounded)
        return exchange

    monkeypatch.setattr(HttpWire, "post", late_post)
    handle = _handle("http", timeout=5.0)
    try:
        opened = handle.open()
        assert opened.initialize("2025-11-25").ok
        ping = opened.request("ping")
        finish.set()
        assert ping.ok, ping.response  # without the session id the server answers 400
    finally:
        finish.set()
        handle.close()


def test_a_late_answer_to_an_abandoned_request_is_no_stray_response(wire: Wire) -> None:
    """BASE-04 counts responses no request asked for: a request abandoned before (a timeout on a loaded machine) is
    answered into the inbox later, and that answer must not read as an answer to BASE-04's notifications."""
    late = wire.begin(wire.message("tools/call", SLOW))
    late.abandon()
    answer = wire.next_message(lambda m: isinstance(m, dict) and m.get("id") == late.request["id"], timeout=5)
    assert answer is not None and "result" in answer and not wire.stray_response(answer)
    wire.send({"jsonrpc": "2.0", "id": "sent-raw", "method": "ping"})  # sent as raw bytes: no request of the wire's
    raw = wire.next_message(lambda m: isinstance(m, dict) and m.get("id") == "sent-raw", timeout=5)
    assert wire.stray_response(raw)
    assert wire.stray_response({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no"}})
    assert not wire.stray_response({"jsonrpc": "2.0", "method": "notifications/progress", "params": {}})


def test_closing_an_http_wire_closes_the_connection_of_a_request_still_being_answered() -> None:
    """A POST whose SSE answer is still open when the wire closes: the server must see the connection end. Closing
    the client alone left the socket open while the reading thread blocked on it, so a server that waits for its
    connections before exiting (uvicorn) waited for SIGKILL, 2 s at the end of every --mcp-launch run."""
    from mcptest.wire.http import HttpWire

    listener = socket.create_server(("127.0.0.1", 0))
    ended = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as request:
            headers = list(iter(request.readline, b"\r\n"))
            request.read(next(int(h.split(b":")[1]) for h in headers if h.lower().startswith(b"content-length:")))
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
            conn.settimeout(30)
            if conn.recv(1) == b"":
                ended.set()

    threading.Thread(target=serve, daemon=True).start()
    wire = HttpWire(f"http://127.0.0.1:{listener.getsockname()[1]}/mcp", 30.0)
    call = wire.begin(wire.message("ping", None, id="never-answered"))
    assert wait_until(lambda: bool(wire._open), 10) is None  # its answer's headers arrived; the stream stays silent
    assert not call.done
    wire.close()
    listener.close()
    assert ended.wait(10), "the server still had the connection open after the wire closed"


def test_a_refused_connection_is_a_wire_error_also_after_an_in_process_pytester_run(pytester: pytest.Pytester) -> None:
    """An in-process pytester run drops the modules it imported first; when httpcore2 was one of them, httpx2's
    exception table kept the dropped module's classes and later requests in this process raised unmapped httpcore2
    errors instead of WireError (tests/conftest.py imports httpcore2 up front). Run alone, this fails without it."""
    from mcptest.wire.base import WireError
    from mcptest.wire.http import HttpWire

    refused = "import pytest\nfrom mcptest.wire.base import WireError\nfrom mcptest.wire.http import HttpWire\n\n\n" \
              "def test_refused():\n    with pytest.raises(WireError):\n" \
              "        HttpWire('http://127.0.0.1:1/mcp', 5.0).http('GET')\n"
    pytester.makepyfile(test_inner=refused)
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    with pytest.raises(WireError, match="connection refused"):
        HttpWire("http://127.0.0.1:1/mcp", 5.0).http("GET")


def test_a_bug_in_the_thread_carrying_a_request_is_a_wire_bug_not_a_silent_server(
        wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    """When mcptest's own code raises in a reader or request thread, the request's waiter must not time out as if the
    server never answered (a silence the suite would report against the server): it raises WireBug, which the runner
    reports as an mcptest error."""
    from mcptest.wire.base import WireBug, WireError

    def broken(message: object, via: object = None) -> None:
        raise RuntimeError("a bug in the delivery code")

    monkeypatch.setattr(wire, "_deliver", broken)
    with pytest.raises(WireBug, match="a bug in the delivery code") as raised:
        wire.request("ping")
    assert not isinstance(raised.value, WireError)


def test_a_request_on_a_closed_http_wire_says_the_connection_was_closed() -> None:
    """httpx2 refuses a request on a closed client with RuntimeError: that is the wire's end, not a bug."""
    from mcptest.wire.http import HttpWire

    wire = HttpWire("http://127.0.0.1:1/mcp", 5.0)
    wire.close()
    with pytest.raises(ServerGone, match="the connection was closed"):
        wire.request("ping")
