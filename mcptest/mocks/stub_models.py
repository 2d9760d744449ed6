"""Data types of the HTTP stub server: canned responses, routes with response sequences, recorded requests."""

from __future__ import annotations

import json as jsonlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mcptest.mocks.errors import MockConfigError

MAX_DELAY = 30.0  # seconds; a stub answering slower than this is a mistake, not a test of timeouts
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class StubResponse:
    """One canned response.

    Attributes:
        status: HTTP status code.
        json: Body serialised as JSON (``Content-Type: application/json``); ``None`` for no JSON body.
        text: Plain-text body instead of ``json``.
        headers: Extra response headers.
        delay: Seconds to wait before answering (0 to ``MAX_DELAY``), for timeout tests.
    """

    status: int = 200
    json: Any = None
    text: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def __post_init__(self) -> None:
        if not 100 <= self.status <= 599:
            raise MockConfigError(f"stub response status must be 100..599, got {self.status}")
        if not 0 <= self.delay <= MAX_DELAY:
            raise MockConfigError(f"stub response delay must be between 0 and {MAX_DELAY} s, got {self.delay}")
        if self.json is not None and self.text is not None:
            raise MockConfigError("a stub response takes json= or text=, not both")

    def encode(self) -> tuple[bytes, dict[str, str]]:
        """Body bytes and headers (with Content-Type and Content-Length) to send."""
        if self.json is not None:
            body, content_type = jsonlib.dumps(self.json).encode(), "application/json"
        else:
            body, content_type = (self.text or "").encode(), "text/plain; charset=utf-8"
        headers = {"Content-Type": content_type, **self.headers, "Content-Length": str(len(body))}
        return body, headers


@dataclass(frozen=True)
class RecordedRequest:
    """A request the stub received.

    Attributes:
        method: Upper-case HTTP method.
        path: URL path without the query string.
        query: Query parameters, each name mapped to all its values.
        headers: Request headers with lower-case names.
        body: Raw request body.
        matched: Whether a route answered it (``False``: it got the 404).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    matched: bool

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return jsonlib.loads(self.body)


class StubRoute:
    """Responses for one ``METHOD /path``, served in order; the last one repeats once the others are used up.

    Attributes:
        method: Upper-case HTTP method.
        path: Exact URL path matched (the query string is ignored for matching).
        responses: The response sequence.
    """

    def __init__(self, method: str, path: str, responses: Sequence[StubResponse]) -> None:
        method = method.upper()
        if method not in METHODS:
            raise MockConfigError(f"stub route method {method!r} is not one of {', '.join(METHODS)}")
        if not path.startswith("/"):
            raise MockConfigError(f"stub route path must start with '/', got {path!r}")
        if not responses:
            raise MockConfigError(f"stub route {method} {path} needs at least one response")
        self.method, self.path, self.responses = method, path, tuple(responses)
        self._calls: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<StubRoute {self} responses={len(self.responses)} calls={self.call_count}>"

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def calls(self) -> list[RecordedRequest]:
        """Requests this route answered, oldest first."""
        with self._lock:
            return list(self._calls)

    @property
    def call_count(self) -> int:
        """How many requests this route answered."""
        with self._lock:
            return len(self._calls)

    @property
    def called(self) -> bool:
        """Whether this route answered at least one request."""
        return self.call_count > 0

    def answer(self, request: RecordedRequest) -> StubResponse:
        """Record ``request`` and pick the next response of the sequence."""
        with self._lock:
            response = self.responses[min(len(self._calls), len(self.responses) - 1)]
            self._calls.append(request)
        return response
