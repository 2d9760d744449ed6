"""The public pytest fixtures for talking to an MCP server (thin: the library does the work)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from mcptest.settings import Settings
from mcptest.suite_items import SETTINGS_KEY, get_run
from mcptest.target import Target, parse_header, parse_target

if TYPE_CHECKING:  # the engine is imported when a fixture is used, not when the plugin loads
    from mcptest.connect import ServerHandle
    from mcptest.runner import SuiteRun
    from mcptest.session import Session
    from mcptest.wire import Wire

SCOPES = ("session", "package", "module", "class", "function")


def _server_scope(fixture_name: str, config: pytest.Config) -> str:
    """The scope of ``mcp_server`` / ``mcp_server_env``: ini ``mcp_server_scope`` (default ``session``)."""
    scope = (config.getini("mcp_server_scope") or "session").strip()
    if scope not in SCOPES:
        raise pytest.UsageError(f"mcp_server_scope: {scope!r} is not a pytest scope; choose from {', '.join(SCOPES)}")
    return scope


@pytest.fixture(scope="session")
def mcp_run(request: pytest.FixtureRequest) -> SuiteRun:
    """The built-in suite's run against ``--mcp-server``: handle, discovered surface, findings."""
    return get_run(request.config)


@pytest.fixture(scope="session")
def mcp_settings(request: pytest.FixtureRequest) -> Settings:
    """The effective mcptest settings (command line > ini > MCPTEST_* environment > defaults)."""
    return request.config.stash[SETTINGS_KEY]


@pytest.fixture(scope="session")
def mcp_target(mcp_settings: Settings) -> Target:
    """The parsed ``--mcp-server`` target; skips the test when none was given."""
    if not mcp_settings.server:
        pytest.skip("no MCP server given: pass --mcp-server TARGET (or set mcp_server / MCPTEST_SERVER)")
    headers = tuple(parse_header(h) for h in mcp_settings.header)
    return parse_target(mcp_settings.server, launch=mcp_settings.launch, headers=headers)


@pytest.fixture(scope=_server_scope)
def mcp_server_env() -> dict[str, str]:
    """Extra environment variables for the server process mcptest starts (empty by default).

    Override it in your conftest.py, e.g. to hand the server a database or a stub API::

        @pytest.fixture
        def mcp_server_env(mcp_db, mcp_http_stub):
            return {**mcp_db.env, **mcp_http_stub.env("API_BASE_URL")}

    With function-scoped dependencies like these, set ini ``mcp_server_scope = function`` so that
    ``mcp_server`` (and this fixture) are per test.
    """
    return {}


@pytest.fixture(scope=_server_scope)
def mcp_server(mcp_target: Target, mcp_settings: Settings, mcp_server_env: dict[str, str]) -> Iterator[ServerHandle]:
    """The server under test (``--mcp-server``), started once per ``mcp_server_scope`` (session by default).

    Opens raw wires with ``mcp_server.open()``; an HTTP server given with ``--mcp-launch`` is started
    here and restarted if it dies. Everything it started is stopped at teardown, children included.
    """
    import dataclasses

    from mcptest.connect import ServerHandle
    from mcptest.launch.process import LaunchError

    target = dataclasses.replace(mcp_target, env=tuple({**dict(mcp_target.env), **mcp_server_env}.items()))
    handle = ServerHandle(target, mcp_settings)
    try:
        handle.start()
    except LaunchError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield handle
    handle.close()


@pytest.fixture
def mcp_wire(mcp_server: ServerHandle) -> Iterator[Wire]:
    """A raw JSON-RPC channel to the server, already initialized: send exact frames, read with a deadline.

    Use ``mcp_wire.request(method, params)`` for a request/response pair, ``mcp_wire.send(...)`` for
    any bytes or message, and ``mcp_wire.recv(timeout)`` to read. Stdio targets get a fresh process.
    """
    from mcptest.discovery import initialize

    wire = mcp_server.open()
    initialize(wire)
    yield wire
    wire.close()


@pytest.fixture
def mcp_session(mcp_server: ServerHandle) -> Iterator[Session]:
    """A synchronous SDK client session to the server under test (handshake era, no cache).

    Call it like the SDK's ``mcp.Client`` without ``await``: ``mcp_session.call_tool("add", {"a": 1})``,
    ``mcp_session.list_tools()``, ``mcp_session.read_resource(uri)``. Each call is bounded by
    ``--mcp-timeout``. A stdio target gets its own server process for the test.
    """
    from mcptest.session import Session, SessionError

    target = mcp_server.session_target()
    try:
        session = Session(target, timeout=mcp_server.timeout)
    except SessionError as exc:
        problem = str(exc)
    else:
        yield session
        session.close()
        return
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def mcp_connect(mcp_settings: Settings) -> Iterator[Callable[..., Session]]:
    """A factory for more connections: ``mcp_connect(server)`` returns a connected synchronous Session.

    ``server`` is an in-process ``MCPServer`` / low-level ``Server`` object (connected in memory, no
    subprocess), a command (``"python other_server.py"``) or an ``http://`` URL. Keyword arguments:
    ``env`` (extra environment for a command), ``timeout`` (seconds per call) and ``mode``
    (``"legacy"`` handshake era, the default, or ``"2026-07-28"`` for the stateless era). Every session
    is closed at teardown.
    """
    from mcptest.session import Session, SessionError

    sessions: list[Session] = []

    def connect(server: Any, *, env: dict[str, str] | None = None, timeout: float | None = None,
                mode: str = "legacy") -> Session:
        __tracebackhide__ = True
        try:
            session = Session(server, env=env, timeout=timeout or mcp_settings.timeout, mode=mode)
        except SessionError as exc:
            problem = str(exc)
        else:
            sessions.append(session)
            return session
        pytest.fail(problem, pytrace=False)

    yield connect
    for session in sessions:
        session.close()


@pytest.fixture
def mcp_fuzz(request: pytest.FixtureRequest, mcp_server: ServerHandle,
             mcp_settings: Settings) -> Callable[..., dict[str, str]]:
    """Fuzz the server's tools from their inputSchemas: ``mcp_fuzz()`` fails the test on the first broken property.

    Valid arguments must get a tool result (never a crash, hang or protocol error; structured output
    matching outputSchema), invalid ones an isError result or -32602. Failures are shrunk to a minimal
    input and come with a ``mcptest call`` reproducer and a ready-to-paste regression test. Configure
    with ``@pytest.mark.mcp_fuzz(max_examples=50, tools=["add", "search_*"], mode="valid"|"invalid"|"both")``
    or the same keyword arguments to the call. Returns ``{tool: "pass" | "n/a: <reason>"}``.
    """
    import dataclasses

    from mcptest.checks.base import CheckContext
    from mcptest.state import VersionState
    from mcptest.checks.fuzz import fuzz_tool_check
    from mcptest.discovery import discover
    from mcptest.findings import NotApplicable, Violation

    marker = request.node.get_closest_marker("mcp_fuzz")
    defaults = dict(marker.kwargs) if marker else {}

    def run(**kwargs: Any) -> dict[str, str]:
        __tracebackhide__ = True
        options = {**defaults, **kwargs}
        unknown = set(options) - {"max_examples", "tools", "mode"}
        if unknown:
            pytest.fail(f"mcp_fuzz got unknown option(s) {sorted(unknown)}; valid: max_examples, tools, mode",
                        pytrace=False)
        mode = options.get("mode", "both")
        modes = ("valid", "invalid") if mode == "both" else (mode,)
        if not set(modes) <= {"valid", "invalid"}:
            pytest.fail(f"mcp_fuzz(mode={mode!r}) must be 'valid', 'invalid' or 'both'", pytrace=False)
        settings = dataclasses.replace(
            mcp_settings,
            fuzz_examples=int(options.get("max_examples", mcp_settings.fuzz_examples or 25)),
            tools=tuple(options.get("tools", mcp_settings.tools)),
        )
        wire = mcp_server.open()
        state = VersionState(handle=mcp_server, surface=discover(wire), shared=wire)
        ctx = CheckContext(state)
        ctx.settings = settings
        outcomes: dict[str, str] = {}
        failures: list[str] = []
        try:
            for tool in ctx.surface.items("tools"):
                for one in modes:
                    key = f"{tool.get('name')} ({one})"
                    try:
                        fuzz_tool_check(ctx, tool, one)
                        outcomes[key] = "pass"
                    except NotApplicable as exc:
                        outcomes[key] = f"n/a: {exc.reason}"
                    except Violation as violation:
                        outcomes[key] = "fail"
                        failures.append(violation.render())
        finally:
            if state.shared is not None:
                mcp_server.forget(state.shared)
        if failures:
            pytest.fail("\n\n".join(failures), pytrace=False)
        return outcomes

    return run
