"""The HTTP stub server, over real sockets: routes, sequences, delays, 404s, recording, another process, stop."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from mcptest.mocks import MockConfigError, StubResponse, StubServer
from mcptest.mocks.stub_models import MAX_DELAY


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


def test_route_answers_and_records_the_request(stub: StubServer) -> None:
    route = stub.route("POST", "/users", status=201, json={"id": 9}, headers={"X-Trace": "abc"})
    response = httpx.post(f"{stub.url}/users?dry=1&tag=a&tag=b", json={"name": "ada"},
                          headers={"Authorization": "Bearer t"})
    assert (response.status_code, response.json(), response.headers["x-trace"]) == (201, {"id": 9}, "abc")
    [request] = stub.requests
    assert (request.method, request.path, request.query) == ("POST", "/users", {"dry": ["1"], "tag": ["a", "b"]})
    assert request.headers["authorization"] == "Bearer t" and request.json() == {"name": "ada"}
    assert request.matched and route.calls == [request] and route.called


def test_fail_n_times_then_succeed_for_retry_tests(stub: StubServer) -> None:
    route = stub.route("GET", "/flaky", json={"ok": True}, fail_times=2, fail_status=502)
    answers = [httpx.get(f"{stub.url}/flaky") for _ in range(4)]
    assert [a.status_code for a in answers] == [502, 502, 200, 200]
    assert answers[0].json() == {"error": "stubbed failure 1 of 2"} and answers[3].json() == {"ok": True}
    assert route.call_count == 4


def test_explicit_sequence_repeats_its_last_response(stub: StubServer) -> None:
    stub.sequence("GET", "/breaker", [StubResponse(500), StubResponse(429, text="slow down"), StubResponse(204)])
    codes = [httpx.get(f"{stub.url}/breaker").status_code for _ in range(5)]
    assert codes == [500, 429, 204, 204, 204]


def test_unmatched_requests_get_404_naming_the_routes_and_are_recorded(stub: StubServer) -> None:
    stub.route("GET", "/a")
    stub.route("delete", "/b")
    response = httpx.put(f"{stub.url}/nope", content=b"raw")
    assert response.status_code == 404
    assert response.json() == {"error": "no stub route for PUT /nope", "routes": ["GET /a", "DELETE /b"]}
    [request] = stub.unmatched
    assert (request.method, request.path, request.body, request.matched) == ("PUT", "/nope", b"raw", False)


def test_delay_holds_the_response(stub: StubServer) -> None:
    stub.route("GET", "/slow", json={}, delay=0.3)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{stub.url}/slow", timeout=0.1)
    assert httpx.get(f"{stub.url}/slow", timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_bad_routes_are_refused_up_front(stub: StubServer) -> None:
    with pytest.raises(MockConfigError, match=f"between 0 and {MAX_DELAY}"):
        stub.route("GET", "/x", delay=MAX_DELAY + 1)
    with pytest.raises(MockConfigError, match="must start with '/'"):
        stub.route("GET", "x")
    with pytest.raises(MockConfigError, match="not one of GET, POST"):
        stub.route("FETCH", "/x")
    with pytest.raises(MockConfigError, match="only listens on loopback"):
        StubServer(host="0.0.0.0")


def test_a_server_in_another_process_finds_the_stub_through_its_environment(stub: StubServer) -> None:
    stub.route("GET", "/health", json={"status": "up"})
    script = ("import os, urllib.request\n"
              "print(urllib.request.urlopen(os.environ['API_BASE_URL'] + '/health', timeout=5).read().decode())\n")
    done = subprocess.run([sys.executable, "-c", script], env=stub.env(), capture_output=True, text=True,
                          timeout=30, check=True)
    assert done.stdout.strip() == '{"status": "up"}'
    assert stub.env("WEATHER_URL") == {"WEATHER_URL": stub.url} and stub.url.startswith("http://127.0.0.1:")
    assert [r.headers["user-agent"].split("/")[0] for r in stub.requests] == ["Python-urllib"]


def test_stop_is_prompt_even_with_a_delayed_response_in_flight() -> None:
    stub = StubServer().start()
    stub.route("GET", "/hang", delay=MAX_DELAY)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            httpx.get(f"{stub.url}/hang", timeout=MAX_DELAY + 5)
        except httpx.HTTPError as exc:
            errors.append(exc)

    client = threading.Thread(target=call)
    client.start()
    deadline = time.monotonic() + 5
    while not stub.requests and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    started = time.monotonic()
    stub.stop()
    client.join(timeout=5)
    assert time.monotonic() - started < 2 and not client.is_alive() and errors
    with pytest.raises(RuntimeError, match="not running"):
        _ = stub.url


def test_reset_forgets_routes_and_requests(stub: StubServer) -> None:
    stub.route("GET", "/a")
    httpx.get(f"{stub.url}/a")
    stub.reset()
    assert stub.routes == [] and stub.requests == []
    assert httpx.get(f"{stub.url}/a").status_code == 404
