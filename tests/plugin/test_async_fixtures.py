"""mcp_client under pytest-asyncio (strict and auto mode) and anyio, function and session scope: set up,
called, failed and torn down without a teardown error."""

from __future__ import annotations

import pytest

from tests.conftest import PY, stdio_target

# One module of async tests as the course writes them, run under each plugin and mode. The failing test
# must fail in its call phase only: never as an error at teardown (the bug this module guards against).
TESTS = """
import pytest

{marker}
async def test_tool_call(mcp_client):
    result = await mcp_client.call_tool("echo", {{"text": "héllo ✓"}})
    assert result.content[0].text == "héllo ✓"

{marker}
async def test_listing_and_reads(mcp_client):
    tools = await mcp_client.list_tools()
    assert {{"echo", "add"}} <= {{tool.name for tool in tools.tools}}
    assert mcp_client.server_info.name == "clean-raw"

{marker}
async def test_a_failing_assertion_is_a_failure_not_a_teardown_error(mcp_client):
    result = await mcp_client.call_tool("add", {{"a": 2, "b": 3}})
    assert result.structured_content == {{"sum": 6}}, "deliberately wrong"

{marker}
async def test_the_same_client_serves_concurrent_calls(mcp_client):
    import asyncio
    results = await asyncio.gather(*(mcp_client.call_tool("add", {{"a": i, "b": 1}}) for i in range(5)))
    assert [r.structured_content["sum"] for r in results] == [1, 2, 3, 4, 5]
"""

ANYIO_BACKEND = """
@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"
"""


def _run(pytester: pytest.Pytester, marker: str, *args: str, scope: str = "function",
         extra: str = "") -> pytest.RunResult:
    pytester.makeini(f"[pytest]\nmcp_client_scope = {scope}\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_async_client=TESTS.format(marker=marker) + extra)
    return pytester.runpytest_subprocess("--mcp-server=" + stdio_target("clean_raw.py"), "-p", "no:cacheprovider",
                                         "-W", "error::pytest.PytestUnraisableExceptionWarning", "test_async_client.py",
                                         *args, timeout=180)


def _assert_clean(result: pytest.RunResult) -> None:
    result.assert_outcomes(passed=3, failed=1)
    text = result.stdout.str()
    assert "deliberately wrong" in text
    assert "error" not in result.parseoutcomes()  # nothing failed at setup or teardown
    assert "cancel scope" not in text and "Task was destroyed" not in text and "RuntimeError" not in text


@pytest.mark.parametrize("scope", ["function", "session"])
def test_pytest_asyncio_strict_mode(pytester: pytest.Pytester, scope: str) -> None:
    _assert_clean(_run(pytester, "@pytest.mark.asyncio", "-o", "asyncio_mode=strict", scope=scope))


@pytest.mark.parametrize("scope", ["function", "session"])
def test_pytest_asyncio_auto_mode_without_markers(pytester: pytest.Pytester, scope: str) -> None:
    _assert_clean(_run(pytester, "", "-o", "asyncio_mode=auto", scope=scope))


@pytest.mark.parametrize("scope", ["function", "session"])
def test_anyio_marker(pytester: pytest.Pytester, scope: str) -> None:
    _assert_clean(_run(pytester, "@pytest.mark.anyio", "-p", "no:asyncio", scope=scope, extra=ANYIO_BACKEND))


def test_session_scope_shares_one_server_process_across_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_client_scope = session\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_shared="""
        import os, pytest

        PIDS = set()

        @pytest.mark.asyncio
        @pytest.mark.parametrize("n", range(3))
        async def test_state_survives(mcp_client, n):
            result = await mcp_client.call_tool("add", {"a": n, "b": n})
            assert result.structured_content == {"sum": 2 * n}
            PIDS.add(id(mcp_client))

        def test_one_client():
            assert len(PIDS) == 1
        """
    )
    result = pytester.runpytest_subprocess("--mcp-server=" + stdio_target("clean_raw.py"), "-p", "no:cacheprovider",
                                           "test_shared.py", timeout=180)
    result.assert_outcomes(passed=4)


def test_a_hanging_call_is_bounded_by_the_timeout(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        hanging_server="""
        import anyio
        from mcp.server import MCPServer

        app = MCPServer("hanging", log_level="WARNING")

        @app.tool()
        async def hang() -> str:
            \"\"\"Never answers.\"\"\"
            await anyio.sleep_forever()

        @app.tool()
        def answer() -> str:
            \"\"\"Answers at once.\"\"\"
            return "here"

        app.run()
        """,
        test_hang="""
        import pytest
        from mcptest.session import SessionError

        @pytest.mark.asyncio
        async def test_hang(mcp_client):
            with pytest.raises(SessionError, match="call_tool did not finish within 5 s"):
                await mcp_client.call_tool("hang", {})
            # the client is still usable after a timed-out call
            assert (await mcp_client.call_tool("answer", {})).content[0].text == "here"
        """,
    )
    result = pytester.runpytest_subprocess(f"--mcp-server={PY} hanging_server.py", "--mcp-timeout=5",
                                           "-p", "no:cacheprovider", "test_hang.py", timeout=180)
    result.assert_outcomes(passed=1)


def test_methods_bound_to_the_fixture_loop_are_refused_with_a_reason(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_listen="""
        import pytest

        @pytest.mark.asyncio
        async def test_listen(mcp_client):
            with pytest.raises(AttributeError, match="bound to the fixture's own event loop"):
                mcp_client.listen(tools_list_changed=True)
        """
    )
    result = pytester.runpytest_subprocess("--mcp-server=" + stdio_target("clean_raw.py"), "-p", "no:cacheprovider",
                                           "test_listen.py", timeout=180)
    result.assert_outcomes(passed=1)


def test_a_bad_scope_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_client_scope = forever\n")
    pytester.makepyfile(test_x="async def test_x(mcp_client):\n    pass\n")
    result = pytester.runpytest_subprocess("--mcp-server=" + stdio_target("clean_raw.py"), "-p", "no:cacheprovider",
                                           "test_x.py")
    result.stderr.fnmatch_lines(["*mcp_client_scope: 'forever' is not a pytest scope; choose from session*"])


def test_mcptest_pulling_in_pytest_asyncio_adds_no_warning_to_an_unconfigured_project(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "test_plain.py")
    result.assert_outcomes(passed=1)
    assert "is unset" not in result.stdout.str() + result.stderr.str()
