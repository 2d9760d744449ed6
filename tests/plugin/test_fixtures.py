"""The public fixtures as server authors use them: documented, connected, isolated, cleaned up."""

from __future__ import annotations

import time

import pytest

from mcptest.session import Session, SessionError
from tests.conftest import SERVERS, http_target, stdio_target

FIXTURES = ("mcp_target", "mcp_server", "mcp_server_env", "mcp_session", "mcp_client", "mcp_connect", "mcp_wire",
            "mcp_db", "mcp_http_mock", "mcp_http_stub", "mcp_settings")


def test_every_public_fixture_is_listed_with_its_docstring(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    text = result.stdout.str()
    for name in FIXTURES:
        assert f"{name} " in text or f"{name} [" in text, name
    result.stdout.fnmatch_lines(["*mcp_session*", "*A synchronous SDK client session to the server under test*"])
    result.stdout.fnmatch_lines(["*mcp_connect*", "*A factory for more connections*"])


def test_session_wire_and_async_client_against_a_stdio_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_author="""
        import pytest

        def test_session_calls_a_tool(mcp_session):
            result = mcp_session.call_tool("add", {"a": 2, "b": 3})
            assert result.structured_content == {"sum": 5}

        def test_wire_sends_exact_frames(mcp_wire):
            reply = mcp_wire.request("tools/call", {"name": "no-such-tool", "arguments": {}})
            assert reply.error_code == -32602

        @pytest.mark.anyio
        async def test_async_client(mcp_client):
            result = await mcp_client.call_tool("echo", {"text": "héllo ✓"})
            assert result.content[0].text == "héllo ✓"

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    result = pytester.runpytest("--mcp-server", stdio_target("clean_raw.py"), "test_author.py", "-p", "anyio")
    result.assert_outcomes(passed=3)


def test_session_against_an_http_server_started_with_launch(pytester: pytest.Pytester) -> None:
    server, launch = http_target("clean_raw.py")
    pytester.makepyfile(
        test_launched_http="""
        def test_tools(mcp_session):
            assert {t.name for t in mcp_session.list_tools().tools} >= {"echo", "add"}
        """
    )
    result = pytester.runpytest("--mcp-server", server, "--mcp-launch", launch, "test_launched_http.py")
    result.assert_outcomes(passed=1)


def test_connect_in_memory_to_a_server_object(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inmemory="""
        from mcp.server import MCPServer

        app = MCPServer("inmem", log_level="WARNING")

        @app.tool()
        def double(x: int) -> int:
            \"\"\"Double a number.\"\"\"
            return 2 * x

        def test_in_memory(mcp_connect):
            session = mcp_connect(app)
            assert session.call_tool("double", {"x": 21}).structured_content == {"result": 42}

        def test_in_memory_stateless_era(mcp_connect):
            session = mcp_connect(app, mode="2026-07-28")
            assert session.client.protocol_version == "2026-07-28"
            assert session.call_tool("double", {"x": 2}).structured_content == {"result": 4}
        """
    )
    result = pytester.runpytest("test_inmemory.py")
    result.assert_outcomes(passed=2)


def test_server_env_reaches_the_process(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_server_scope = function\n")
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def mcp_server_env(tmp_path):
            return {"MCPTEST_ORPHAN_PIDFILE": str(tmp_path / "pid.txt")}
        """
    )
    pytester.makepyfile(
        test_env="""
        def test_env(mcp_wire, tmp_path):
            assert (tmp_path / "pid.txt").exists()
        """
    )
    result = pytester.runpytest("--mcp-server", stdio_target("robust_orphan_child.py"), "test_env.py")
    result.assert_outcomes(passed=1)


def test_connect_failure_is_one_clear_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fail=f"""
        def test_connect(mcp_connect):
            mcp_connect("python {SERVERS / 'robust_exit_at_start.py'}", timeout=5)
        """
    )
    result = pytester.runpytest("test_fail.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*could not open an MCP session to*robust_exit_at_start.py*",
                                 "*server.toml' not found*"])
    assert "During handling" not in result.stdout.str()


def test_bad_server_scope_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_server_scope = forever\n")
    pytester.makepyfile(test_x="def test_x(mcp_server):\n    pass\n")
    result = pytester.runpytest("--mcp-server", stdio_target("clean_raw.py"), "test_x.py")
    assert "mcp_server_scope: 'forever' is not a pytest scope" in result.stdout.str() + result.stderr.str()


def test_failed_test_shows_the_server_stderr(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fails="""
        def test_fails(mcp_wire):
            mcp_wire.request("tools/call", {"name": "echo", "arguments": {"text": "x"}})
            assert False, "the author's assertion"
        """
    )
    result = pytester.runpytest("--mcp-server", stdio_target("robust_stderr_flood.py"), "test_fails.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*- mcp server stderr (mcp_wire) -*"])


def test_mcp_fuzz_fixture_finds_a_crash_and_honours_its_marker(pytester: pytest.Pytester) -> None:
    fuzz_server = SERVERS.parent / "fuzz_servers" / "crash_on_non_ascii.py"
    pytester.makepyfile(
        test_fuzz_marker="""
        import pytest

        @pytest.mark.mcp_fuzz(max_examples=30, tools=["echo"], mode="valid")
        def test_fuzz_echo(mcp_fuzz):
            mcp_fuzz()

        @pytest.mark.mcp_fuzz(max_examples=10, tools=["add"])
        def test_fuzz_add(mcp_fuzz):
            outcomes = mcp_fuzz()
            assert outcomes["add (valid)"] == "pass" and outcomes["add (invalid)"] == "pass"
            assert outcomes["echo (valid)"].startswith("n/a: tool 'echo' is not selected")
        """
    )
    # a budget that cannot cut the 30 examples short on a loaded machine: the marker's max_examples is the subject
    result = pytester.runpytest("--mcp-server", f"python {fuzz_server}", "test_fuzz_marker.py", "--mcp-seed", "7",
                                "--mcp-fuzz-budget", "120")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*[[]FUZZ-01[]] SHOULD*", "*minimal input: {\"text\": \"\\u00*\"}*"])


def test_a_call_that_never_answers_is_a_session_error_and_the_session_goes_on() -> None:
    with Session(stdio_target("robust_hang_on_tool_call.py"), timeout=2.0) as session:
        started = time.monotonic()
        with pytest.raises(SessionError, match="call_tool did not finish within 2 s"):
            session.call_tool("echo", {"text": "never"})
        assert time.monotonic() - started < 2.0 + 5.0
        assert session.call_tool("add", {"a": 2, "b": 3}).structured_content == {"sum": 5}
