"""pytest wiring for the fixtures ``mcp_db``, ``mcp_http_mock`` and ``mcp_http_stub`` (behaviour: mcptest.mocks)."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from mcptest.mocks.errors import MockConfigError, ServiceUnavailableError

if TYPE_CHECKING:  # imported on use: respx and database drivers stay out of every other pytest run
    from mcptest.mocks.db import ThrowawayDatabase
    from mcptest.mocks.http import HttpMock
    from mcptest.mocks.stub_server import StubServer

HTTP_MOCK_MARKER = "mcp_http_mock"
POSTGRES_SCHEMES = ("postgres", "postgresql")

DB_MARKER = "mcp_db"
DB_URL_ENV = "MCPTEST_DB_URL"
REQUIRE_SERVICES_ENV = "MCPTEST_REQUIRE_SERVICES"
_DB_BACKENDS = ("sqlite", "postgresql")
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_STUBS = pytest.StashKey["list[StubServer]"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--mcp-db-url`` and its ini twin ``mcp_db_url``."""
    help_text = ("PostgreSQL server URL for mcp_db (a fresh database is created on it per test and dropped "
                 f"afterwards), e.g. postgresql://user:pw@127.0.0.1:5432/postgres; default SQLite. Env: {DB_URL_ENV}")
    parser.getgroup("mcptest").addoption("--mcp-db-url", dest="mcp_db_url", default=None, metavar="URL",
                                         help=help_text)
    parser.addini("mcp_db_url", help=help_text, default="")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``mcp_db`` and ``mcp_http_mock`` markers."""
    config.addinivalue_line("markers", f"{DB_MARKER}(seed=PATH_OR_PATHS, backend=None|'sqlite'|'postgresql'): seed "
                            "the mcp_db throwaway database from .sql/.yaml files (relative to the test file); "
                            "backend='postgresql' skips the test when no PostgreSQL URL is configured.")
    config.addinivalue_line("markers", f"{HTTP_MOCK_MARKER}(base_url=None, assert_all_called=True, "
                            "assert_all_mocked=True): configure the mcp_http_mock respx router and its teardown "
                            "checks.")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Keep each phase's report on the item (so teardown checks can stay silent after a failure) and attach
    the stub server's recorded requests to failed tests."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    if report.failed and report.when == "call":
        for stub in item.stash.get(_STUBS, []):
            lines = [f"{r.method} {r.path}{' (unmatched: 404)' if not r.matched else ''}" for r in stub.requests]
            report.sections.append(("mcp_http_stub requests", "\n".join(lines) or "(none)"))
    return report


def resolve_db_url(config: pytest.Config) -> str | None:
    """The PostgreSQL server URL for ``mcp_db``, by precedence: ``--mcp-db-url`` > ini ``mcp_db_url`` >
    env ``MCPTEST_DB_URL``; ``None`` means SQLite. Works even where this plugin's options are not registered."""
    try:
        ini = config.getini("mcp_db_url")
    except ValueError:  # ini key unknown: this module is imported but not loaded as a plugin
        ini = ""
    for value in (config.getoption("mcp_db_url", None), ini, os.environ.get(DB_URL_ENV)):
        if value:
            return str(value).strip()
    return None


def require_postgres_url(config: pytest.Config, why: str = "this test") -> str:
    """The configured PostgreSQL server URL; skips the test without one (fails it under MCPTEST_REQUIRE_SERVICES=1).

    Args:
        config: The pytest config (for ``--mcp-db-url`` and ini ``mcp_db_url``).
        why: What needs PostgreSQL, for the skip reason.
    """
    __tracebackhide__ = True
    url = resolve_db_url(config)
    if url is None or urlsplit(url).scheme.lower() not in POSTGRES_SCHEMES:
        skip_or_fail_missing_service(
            f"{why} needs a PostgreSQL server URL: pass --mcp-db-url "
            f"postgresql://USER:PASSWORD@127.0.0.1:5432/postgres, or set ini mcp_db_url or env {DB_URL_ENV}")
    assert url is not None
    return url


def services_required() -> bool:
    """Whether ``MCPTEST_REQUIRE_SERVICES`` asks for missing services to fail tests instead of skipping them."""
    return os.environ.get(REQUIRE_SERVICES_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def skip_or_fail_missing_service(reason: str) -> None:
    """Skip the current test because a service is not configured, or fail it when services are required (CI)."""
    __tracebackhide__ = True
    if services_required():
        pytest.fail(f"{reason} ({REQUIRE_SERVICES_ENV} is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def _test_failed(item: pytest.Item) -> bool:
    reports = item.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


def _marker_kwargs(node: pytest.Item, name: str) -> dict[str, Any]:
    """Merge the keyword arguments of every ``name`` marker on ``node``, the closest marker winning."""
    __tracebackhide__ = True
    options: dict[str, Any] = {}
    for marker in node.iter_markers(name):
        if marker.args:
            pytest.fail(f"@pytest.mark.{name} takes keyword arguments only, got positional {marker.args!r}",
                        pytrace=False)
        options = {**marker.kwargs, **options}
    return options


def _db_server_url(request: pytest.FixtureRequest, backend: object) -> str | None:
    __tracebackhide__ = True
    if backend is not None and backend not in _DB_BACKENDS:
        pytest.fail(f"@pytest.mark.{DB_MARKER}(backend={backend!r}) must be one of {', '.join(_DB_BACKENDS)}",
                    pytrace=False)
    if backend == "sqlite":
        return None
    if backend == "postgresql":
        return require_postgres_url(request.config, why=f"{DB_MARKER}(backend='postgresql')")
    return resolve_db_url(request.config)


@pytest.fixture
def mcp_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ThrowawayDatabase]:
    """A real throwaway database for this test, removed afterwards; never a mock.

    SQLite (a file under ``tmp_path``) by default; PostgreSQL when a server URL is configured
    (``--mcp-db-url`` > ini ``mcp_db_url`` > env ``MCPTEST_DB_URL``): a uniquely named database is created for
    the test and dropped at teardown, after terminating connections left on it. Tests never see each other's rows.

    Configure with ``@pytest.mark.mcp_db(seed="schema.sql" | ["schema.sql", "rows.yaml"], backend=...)``: ``.sql``
    files run as scripts; ``.yaml`` files ``{table: [{column: value}, ...]}`` are inserted with bound parameters.

    Use ``mcp_db.url`` / ``mcp_db.env`` (``{"DATABASE_URL": url}``) for the server under test, and
    ``mcp_db.connection`` (autocommit DB-API), ``query()``, ``scalar()`` and ``count(table)`` for assertions.
    """
    __tracebackhide__ = True
    options = _marker_kwargs(request.node, DB_MARKER)
    unknown = sorted(set(options) - {"seed", "backend"})
    if unknown:
        pytest.fail(f"@pytest.mark.{DB_MARKER} got unknown option(s) {', '.join(unknown)}; valid: seed, backend",
                    pytrace=False)
    server_url = _db_server_url(request, options.get("backend"))
    from mcptest.mocks.db import throwaway_database
    from mcptest.mocks.seed import resolve_seed_paths

    problem: str | None = None
    try:
        seeds = resolve_seed_paths(options.get("seed") or [], request.node.path.parent)
        with throwaway_database(server_url, directory=tmp_path, label=request.node.name) as database:
            database.seed(*seeds)
            yield database
    except (MockConfigError, ServiceUnavailableError) as exc:
        problem = str(exc)
    if problem:  # failed outside the except block, so the report shows the message alone
        pytest.fail(problem, pytrace=False)


@pytest.fixture
def mcp_http_mock(request: pytest.FixtureRequest) -> Iterator[HttpMock]:
    """A respx router patching ``httpx`` for in-process servers' outbound calls (the SDK's ``httpx2`` is untouched).

    Add routes as with respx: ``mcp_http_mock.get("https://api.example.com/users/1").respond(200, json={...})``.
    Configure with ``@pytest.mark.mcp_http_mock(base_url=None, assert_all_called=True, assert_all_mocked=True)``.
    At teardown, routes never called and requests that matched no route fail the test with a list of them and
    the option that relaxes the check; nothing is reported when the test already failed.
    """
    __tracebackhide__ = True
    from mcptest.mocks.http import HttpMockOptions, http_mock

    kwargs = _marker_kwargs(request.node, HTTP_MOCK_MARKER)
    try:
        options = HttpMockOptions.from_kwargs(kwargs)
    except MockConfigError as exc:
        problem: str | None = str(exc)
    else:
        problem = None
    if problem:
        pytest.fail(problem, pytrace=False)
    with http_mock(options) as router:
        yield router
        message = None if _test_failed(request.node) else router.contract_failure()
    if message:
        pytest.fail(message, pytrace=False)


@pytest.fixture
def mcp_http_stub(request: pytest.FixtureRequest) -> Iterator[StubServer]:
    """A real HTTP stub server on 127.0.0.1 for servers under test in another process or container.

    Program routes with ``mcp_http_stub.route("GET", "/users/1", status=200, json={...}, delay=0.1,
    fail_times=2)`` or ``.sequence(method, path, [StubResponse(...), ...])``; hand its address to the server with
    ``mcp_http_stub.env("API_BASE_URL")`` (or ``.url``); assert on ``.requests`` / ``route.calls`` (method, path,
    query, headers, body). Unmatched requests get a 404 listing the routes, and are recorded. The recorded
    requests are shown in the report of a failed test.
    """
    from mcptest.mocks.stub_server import StubServer

    with StubServer() as stub:
        request.node.stash.setdefault(_STUBS, []).append(stub)
        yield stub
