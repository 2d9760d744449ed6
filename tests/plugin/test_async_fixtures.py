"""mcp_client under pytest-asyncio (strict and auto mode, function, module and session loops) and anyio, client
scoped per function, module or session: set up, called concurrently, failed and torn down without a teardown error."""

from __future__ import annotations

import pytest

from tests.conftest import PY, stdio_target

# One module of async tests as the course writes them, run under each plugin and mode: one pytest process per
# mode. The failing test must fail in its call phase only: never as an error at teardown (the bug this module
# guards against). Tests on module- and session-wide loops share the client with tests on per-test loops.
TESTS = """
import pytest

CLIENTS = []

{marker}
async def test_tool_call(mcp_client):
    CLIENTS.append(mcp_client)
    result = await mcp_client.call_tool("echo", {{"text": "héllo ✓"}})
    assert result.content[0].text == "héllo ✓"

{module_loop}
async def test_listing_and_reads_on_a_module_loop(mcp_client):
    CLIENTS.append(mcp_client)
    tools = await mcp_client.list_tools()
    assert {{"echo", "add"}} <= {{tool.name for tool in tools.tools}}
    assert mcp_client.server_info.name == "clean-raw"

{marker}
async def test_a_failing_assertion_is_a_failure_not_a_teardown_error(mcp_client):
    CLIENTS.append(mcp_client)
    result = await mcp_client.call_tool("add", {{"a": 2, "b": 3}})
    assert result.structured_content == {{"sum": 6}}, "deliberately wrong"

{session_loop}
async def test_the_same_client_serves_concurrent_calls_on_a_session_loop(mcp_client):
    # many calls in flight at once: a result handed back while this loop hands over the next call once
    # deadlocked the two threads
    import asyncio
    CLIENTS.append(mcp_client)
    results = await asyncio.gather(*(mcp_client.call_tool("add", {{"a": i, "b": 1}}) for i in range(20)))
    assert [r.structured_content["sum"] for r in results] == list(range(1, 21))

{marker}
async def test_methods_bound_to_the_fixture_loop_are_refused_with_a_reason(mcp_client):
    CLIENTS.append(mcp_client)
    with pytest.raises(AttributeError, match="bound to the fixture's own event loop"):
        mcp_client.listen(tools_list_changed=True)

def test_one_client_per_scope():
    assert len({{id(client) for client in CLIENTS}}) == {clients}
"""

ANYIO_BACKEND = """
@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"
"""

ASYNCIO = "@pytest.mark.asyncio"
MODES = {  # mode: (plugin options, marker of a test on a per-test loop, its module-loop and session-loop markers)
    "strict": (("-o", "asyncio_mode=strict"), ASYNCIO, f'{ASYNCIO}(loop_scope="module")',
               f'{ASYNCIO}(loop_scope="session")'),
    "auto": (("-o", "asyncio_mode=auto"), "", f'{ASYNCIO}(loop_scope="module")', f'{ASYNCIO}(loop_scope="session")'),
    "anyio": (("-p", "no:asyncio"), "@pytest.mark.anyio", "@pytest.mark.anyio", "@pytest.mark.anyio"),
}


@pytest.mark.parametrize(("mode", "scope"), [("strict", "session"), ("auto", "function"), ("anyio", "module")])
def test_async_tests_share_or_renew_the_client_without_teardown_errors(
    pytester: pytest.Pytester, mode: str, scope: str,
) -> None:
    """Only the strict-mode project sets asyncio_default_fixture_loop_scope; the auto-mode one turns warnings into
    errors: mcptest pulling in pytest-asyncio must add no warning to a project that never configured it."""
    options, marker, module_loop, session_loop = MODES[mode]
    configured = "asyncio_default_fixture_loop_scope = function\n" if mode == "strict" else ""
    pytester.makeini(f"[pytest]\nmcp_client_scope = {scope}\n{configured}")
    tests = TESTS.format(marker=marker, module_loop=module_loop, session_loop=session_loop,
                         clients=5 if scope == "function" else 1)
    pytester.makepyfile(test_async_client=tests + (ANYIO_BACKEND if mode == "anyio" else ""))
    warnings = "error" if mode == "auto" else "error::pytest.PytestUnraisableExceptionWarning"
    result = pytester.runpytest_subprocess("--mcp-server=" + stdio_target("clean_raw.py"), "-p", "no:cacheprovider",
                                           "-W", warnings, "test_async_client.py", *options, timeout=180)
    result.assert_outcomes(passed=5, failed=1)
    text = result.stdout.str() + result.stderr.str()
    assert "deliberately wrong" in text
    assert "error" not in result.parseoutcomes()  # nothing failed at setup or teardown
    assert "cancel scope" not in text and "Task was destroyed" not in text and "RuntimeError" not in text
    assert "is unset" not in text and "Warning" not in text


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


def test_a_bad_scope_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_client_scope = forever\n")
    pytester.makepyfile(test_x="async def test_x(mcp_client):\n    pass\n")
    result = pytester.runpytest_subprocess("--mcp-server=" + stdio_target("clean_raw.py"), "-p", "no:cacheprovider",
                                           "test_x.py", timeout=180)
    result.stderr.fnmatch_lines(["*mcp_client_scope: 'forever' is not a pytest scope; choose from session*"])
