"""A respx router for in-process servers' outbound ``httpx`` calls, with a contract checked when the test ends."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

import httpx
import respx
from respx.models import AllMockedAssertionError, Route

from mcptest.mocks.errors import MockConfigError

MARKER = "mcp_http_mock"


@dataclass(frozen=True)
class HttpMockOptions:
    """Options of ``@pytest.mark.mcp_http_mock(...)``.

    Attributes:
        base_url: Prefix for relative route URLs, e.g. ``"https://api.example.com/v1"``.
        assert_all_called: Fail the test when a mocked route was never called.
        assert_all_mocked: Requests matching no route raise ``respx.models.AllMockedAssertionError`` in the code
            under test and fail the test at teardown; when ``False`` they get an empty ``200`` response.
    """

    base_url: str | None = None
    assert_all_called: bool = True
    assert_all_mocked: bool = True

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, object]) -> HttpMockOptions:
        """Build options from marker keyword arguments, rejecting unknown names and wrong types.

        Raises:
            MockConfigError: An unknown option or a value of the wrong type.
        """
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(kwargs) - set(known))
        if unknown:
            raise MockConfigError(f"@pytest.mark.{MARKER} got unknown option(s) {', '.join(unknown)}; "
                                  f"valid options: {', '.join(known)}")
        for name, value in kwargs.items():
            valid = isinstance(value, bool) if name.startswith("assert_") else value is None or isinstance(value, str)
            if not valid:
                expected = "True or False" if name.startswith("assert_") else "a URL string"
                raise MockConfigError(f"@pytest.mark.{MARKER}({name}=...) must be {expected}, got {value!r}")
        return cls(**kwargs)  # type: ignore[arg-type]


class HttpMock(respx.MockRouter):
    """A ``respx.MockRouter`` that also remembers requests no route matched, for the teardown report.

    Add routes as with respx: ``mock.get("https://api.example.com/users/1").respond(200, json={...})``.
    Only ``httpx`` is patched: the MCP SDK's own traffic goes through ``httpx2`` and is never intercepted.
    """

    def __init__(self, options: HttpMockOptions) -> None:
        super().__init__(assert_all_called=False, assert_all_mocked=options.assert_all_mocked,
                         base_url=options.base_url)
        self.mock_options = options
        self.unmatched: list[httpx.Request] = []

    @contextmanager
    def resolver(self, request: httpx.Request) -> Iterator[Any]:
        """Resolve like respx does, recording the request when no route matches."""
        try:
            with super().resolver(request) as resolved:
                yield resolved
        except AllMockedAssertionError:
            self.unmatched.append(request)
            raise

    def unused_routes(self) -> list[Route]:
        """Routes that were never called."""
        return [route for route in self.routes if not route.called]

    def contract_failure(self) -> str | None:
        """The teardown message: unused routes and unmatched requests per the options; ``None`` when all is well."""
        sections: list[str] = []
        unused = self.unused_routes() if self.mock_options.assert_all_called else []
        if unused:
            listing = "\n".join(f"  - {_describe(route)}" for route in unused)
            sections.append(f"{MARKER}: these mocked routes were never called:\n{listing}\n"
                            "Remove them, or if that is on purpose relax the check with "
                            f"@pytest.mark.{MARKER}(assert_all_called=False).")
        if self.unmatched and self.mock_options.assert_all_mocked:
            listing = "\n".join(f"  - {request.method} {request.url}" for request in self.unmatched)
            sections.append(f"{MARKER}: these requests matched no mocked route (the code under test got "
                            f"respx's AllMockedAssertionError):\n{listing}\n"
                            f"Mock them (e.g. {MARKER}.get(URL).respond(200, json=...)), or let unmatched requests "
                            f"get an empty 200 with @pytest.mark.{MARKER}(assert_all_mocked=False).")
        return "\n\n".join(sections) or None


def _describe(route: Route) -> str:
    label = f"route {route.name!r}: " if route.name else ""
    return f"{label}{route.pattern!r}"


@contextmanager
def http_mock(options: HttpMockOptions | None = None) -> Iterator[HttpMock]:
    """Patch ``httpx`` with an :class:`HttpMock` for the duration of the block.

    The contract is not enforced here: call :meth:`HttpMock.contract_failure` before leaving the block
    (routes and call history are cleared on exit).
    """
    router = HttpMock(options or HttpMockOptions())
    router.start()
    try:
        yield router
    finally:
        router.stop(quiet=True)
