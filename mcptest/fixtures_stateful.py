"""The mcp_stateful fixture and marker: stateful sequences of the server's tool calls in a user's own test."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mcptest.connect import ServerHandle
    from mcptest.fuzz.stateful import StatefulResult
    from mcptest.settings import Settings

OPTIONS = ("steps", "budget", "tools", "unsafe", "seed")
MARKER = ("mcp_stateful(steps=10, budget=SECONDS, tools=[PATTERNS], unsafe=False, seed=N): options of the "
          "mcp_stateful fixture (keyword arguments to mcp_stateful() override them)")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``mcp_stateful`` marker."""
    config.addinivalue_line("markers", MARKER)


@pytest.fixture
def mcp_stateful(
    request: pytest.FixtureRequest, mcp_server: ServerHandle, mcp_settings: Settings
) -> Callable[..., StatefulResult]:
    """Drive sequences of the server's tool calls: ``mcp_stateful()`` fails the test when an invariant breaks.

    Every sequence starts from a fresh server state (a new process on stdio; a relaunched server for
    ``--mcp-launch``), values the server returns (ids, URIs) are fed into later calls, and after every step
    the server must still answer, structured results must match outputSchema, listed resources must be
    readable and changed listings announced. A failure is shrunk to a minimal sequence and printed as a
    ready-to-paste pytest test of ``mcp_session`` calls. Configure with
    ``@pytest.mark.mcp_stateful(steps=8, budget=30, tools=["create_*", "get_*"], unsafe=True, seed=1)`` or the
    same keyword arguments to the call. Returns the ``StatefulResult`` (sequences, steps, calls) when every
    invariant held; skips with the reason when no tool can be driven.
    """
    marker = request.node.get_closest_marker("mcp_stateful")
    defaults = dict(marker.kwargs) if marker else {}

    def run(**kwargs: Any) -> StatefulResult:
        __tracebackhide__ = True
        from mcptest.checks.base import CheckContext, VersionState
        from mcptest.discovery import discover
        from mcptest.fuzz.budget import fuzz_budget
        from mcptest.fuzz.schema import UnsupportedSchema
        from mcptest.fuzz.stateful import run_stateful

        options = {**defaults, **kwargs}
        unknown = set(options) - set(OPTIONS)
        if unknown:
            pytest.fail(f"mcp_stateful got unknown option(s) {sorted(unknown)}; valid: {', '.join(OPTIONS)}",
                        pytrace=False)
        tools = options.get("tools", mcp_settings.tools)
        if isinstance(tools, str):
            tools = (tools,)
        unsafe = bool(options.get("unsafe", mcp_settings.fuzz_all))
        settings = dataclasses.replace(mcp_settings, tools=tuple(tools), fuzz_all=unsafe)
        seed = int(options.get("seed", mcp_settings.seed or 0))
        wire = mcp_server.open()
        try:
            state = VersionState(handle=mcp_server, surface=discover(wire), shared=None)
            ctx = CheckContext(state)
            ctx.settings = settings
            result = run_stateful(ctx, steps=int(options.get("steps", 10)), seed=seed, unsafe=unsafe,
                                  budget=float(options.get("budget", fuzz_budget(settings))))
        except UnsupportedSchema as exc:
            pytest.skip(f"mcp_stateful: {exc.reason}")
        finally:
            mcp_server.forget(wire)
        if result.failure is not None:
            failure = result.failure
            pytest.fail(f"[{failure.requirement}] a sequence of tool calls broke an invariant: "
                        f"{result.report(seed)}", pytrace=False)
        return result

    return run
