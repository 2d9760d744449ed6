"""A real HTTP stub server on 127.0.0.1 (stdlib, in a thread) for servers under test that run in another process."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from mcptest.mocks.errors import MockConfigError, ServiceUnavailableError
from mcptest.mocks.stub_models import METHODS, RecordedRequest, StubResponse, StubRoute

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_READY_PATH = "/__mcptest_stub__/ready"  # answered internally, never recorded


class StubServer:
    """A programmable HTTP server on the loopback interface, recording every request it gets.

    Use as a context manager (or :meth:`start` / :meth:`stop`)::

        with StubServer() as stub:
            stub.route("GET", "/users/1", json={"id": 1})
            stub.route("GET", "/flaky", json={"ok": True}, fail_times=2)   # 503, 503, then 200
            run_server_under_test(env=stub.env("API_BASE_URL"))
            assert stub.requests[0].path == "/users/1"

    Unmatched requests get a 404 whose JSON body lists the registered routes; they are recorded too.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, start_timeout: float = 5.0) -> None:
        if host not in LOOPBACK_HOSTS:
            raise MockConfigError(f"the stub server only listens on loopback ({', '.join(sorted(LOOPBACK_HOSTS))}), "
                                  f"got host {host!r}")
        self._address = (host, port)
        self._start_timeout = start_timeout
        self._routes: dict[tuple[str, str], StubRoute] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _StubHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> Self:
        """Bind, serve in a daemon thread, and return once a readiness request is answered.

        Raises:
            ServiceUnavailableError: Not answering within ``start_timeout`` seconds.
        """
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _StubHTTPServer(self._address, self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"mcptest-stub-{self.port}", daemon=True)
        self._thread.start()
        self._wait_ready()
        return self

    def stop(self) -> None:
        """Stop serving, release delayed responses, close the socket and join the thread (bounded)."""
        httpd, thread, self._httpd, self._thread = self._httpd, self._thread, None, None
        if httpd is None or thread is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=self._start_timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self._start_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(self._connect_host, self.port, timeout=0.5)
            try:
                connection.request("GET", _READY_PATH)
                if connection.getresponse().status == 204:
                    return
            except OSError as exc:
                last_error = exc
            finally:
                connection.close()
            self._stopping.wait(0.02)
        self.stop()
        raise ServiceUnavailableError(f"the HTTP stub server on {self._address[0]} did not answer within "
                                      f"{self._start_timeout} s (last error: {last_error})")

    # -- where it is -----------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound TCP port."""
        if self._httpd is None:
            raise RuntimeError("the stub server is not running: call start() or use it as a context manager")
        return int(self._httpd.server_address[1])

    @property
    def _connect_host(self) -> str:
        return "127.0.0.1" if self._address[0] == "localhost" else self._address[0]

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:40123``."""
        host = self._connect_host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def env(self, name: str = "API_BASE_URL") -> dict[str, str]:
        """Environment variables pointing a server process at this stub: ``{name: url}``."""
        return {name: self.url}

    # -- programming it ---------------------------------------------------------------------------------------
    def route(self, method: str, path: str, *, status: int = 200, json: Any = None, text: str | None = None,
              headers: Mapping[str, str] | None = None, delay: float = 0.0, fail_times: int = 0,
              fail_status: int = 503, fail_json: Any = None) -> StubRoute:
        """Answer ``method path`` with one response, optionally after ``fail_times`` failures.

        Args:
            method: HTTP method, e.g. ``"GET"``.
            path: Exact path, e.g. ``"/users/1"`` (the query string is not matched).
            status: Status of the (successful) response.
            json: JSON body; ``text``: plain-text body instead.
            text: Plain-text body.
            headers: Extra response headers.
            delay: Seconds before answering, at most ``MAX_DELAY``.
            fail_times: Answer this many times with ``fail_status`` first (retry / circuit-breaker tests).
            fail_status: Status of those failures.
            fail_json: JSON body of the failures (default ``{"error": "stubbed failure N of M"}``).

        Returns:
            The route, whose ``calls`` record what it answered. Registering the same method and path again
            replaces it.
        """
        if fail_times < 0:
            raise MockConfigError(f"fail_times must be >= 0, got {fail_times}")
        failures = [StubResponse(fail_status, json=fail_json if fail_json is not None
                                 else {"error": f"stubbed failure {n + 1} of {fail_times}"})
                    for n in range(fail_times)]
        success = StubResponse(status, json=json, text=text, headers=dict(headers or {}), delay=delay)
        return self.sequence(method, path, [*failures, success])

    def sequence(self, method: str, path: str, responses: Sequence[StubResponse]) -> StubRoute:
        """Answer ``method path`` with ``responses`` in order, repeating the last one."""
        route = StubRoute(method, path, responses)
        with self._lock:
            self._routes[(route.method, route.path)] = route
        return route

    def reset(self) -> None:
        """Forget all routes and recorded requests."""
        with self._lock:
            self._routes.clear()
            self._requests.clear()

    # -- what happened ----------------------------------------------------------------------------------------
    @property
    def routes(self) -> list[StubRoute]:
        """The registered routes."""
        with self._lock:
            return list(self._routes.values())

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received (matched or not), oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def unmatched(self) -> list[RecordedRequest]:
        """Requests no route matched (they were answered 404)."""
        return [request for request in self.requests if not request.matched]

    def _dispatch(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> StubResponse:
        parts = urlsplit(target)
        with self._lock:
            route = self._routes.get((method, parts.path))
            known = [str(r) for r in self._routes.values()]
        request = RecordedRequest(method, parts.path, parse_qs(parts.query, keep_blank_values=True),
                                  {k.lower(): v for k, v in headers.items()}, body, matched=route is not None)
        with self._lock:
            self._requests.append(request)
        if route is None:
            return StubResponse(404, json={"error": f"no stub route for {method} {parts.path}", "routes": known})
        return route.answer(request)


class _StubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 overflows (connections reset) when a server calls it concurrently

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before a (delayed) answer was sent is normal here: say nothing."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], stub: StubServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.stub = stub
        super().__init__(address, _StubHandler)


class _StubHandler(BaseHTTPRequestHandler):
    server: _StubHTTPServer
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after stop()

    def _handle(self) -> None:
        if self.path == _READY_PATH:
            self.send_response(204)
            self.end_headers()
            return
        response = self.server.stub._dispatch(self.command, self.path, dict(self.headers.items()), self._body())
        if response.delay and self.server.stub._stopping.wait(response.delay):
            return  # stopping: drop the connection instead of answering late
        body, headers = response.encode()
        self.send_response(response.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():  # trailers up to the blank line
                continue
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: requests are recorded on the stub instead of logged to stderr."""


for _method in METHODS:
    setattr(_StubHandler, f"do_{_method}", _StubHandler._handle)
