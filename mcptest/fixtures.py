"""The public pytest fixtures for talking to an MCP server (thin: the library does the work)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from mcptest.settings import Settings
from mcptest.suite_items import SETTINGS_KEY, get_run
from mcptest.target import Target, parse_header, parse_target

if TYPE_CHECKING:  # the engine is imported when a fixture is used, not when the plugin loads
    from mcptest.connect import ServerHandle
    from mcptest.runner import SuiteRun
    from mcptest.wire import Wire


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


@pytest.fixture(scope="session")
def mcp_server(mcp_target: Target, mcp_settings: Settings) -> Iterator[ServerHandle]:
    """A started server handle for ``--mcp-server``: opens raw wires, stops everything at the end."""
    from mcptest.connect import ServerHandle
    from mcptest.launch.process import LaunchError

    handle = ServerHandle(mcp_target, mcp_settings)
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
