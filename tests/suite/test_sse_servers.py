"""The legacy HTTP+SSE transport end to end: versions covered, a legacy URL given as http://, fixtures over SSE."""

from __future__ import annotations

import sys
import time

import pytest

from mcptest.runner import SuiteRun, run_all
from mcptest.settings import Settings
from tests.conftest import SERVERS, sse_target
from tests.suite.test_fixture_servers import ROBUSTNESS, settings_for

SSE_CHECKS = {"SSE-01", "SSE-02", "SSE-03", "SSE-04"}


def run_sse_area(settings: Settings) -> SuiteRun:
    run = run_all(settings, areas=("sse",))
    run.close()
    return run


def test_auto_covers_the_transports_own_version_and_the_newest_never_2026() -> None:
    server, launch = sse_target("clean_raw.py")
    run = run_sse_area(Settings(server=server, launch=launch))
    assert run.error is None, run.error
    assert run.versions == ["2024-11-05", "2025-11-25"]
    assert "belongs to the handshake era" in run.skipped["2026-07-28"]
    assert {f.check: (f.outcome, f.version) for f in run.findings} == {c: ("pass", "2024-11-05") for c in SSE_CHECKS}


def test_sse_checks_outside_2024_11_05_are_na_with_the_option_that_runs_them() -> None:
    server, launch = sse_target("clean_sse.py")
    run = run_sse_area(Settings(server=server, launch=launch, protocol="2025-11-25"))
    assert run.versions == ["2025-11-25"]
    assert {f.check for f in run.findings} == SSE_CHECKS
    for finding in run.findings:
        assert finding.outcome == "n/a" and "applies to 2024-11-05" in finding.reason, finding.reason
        assert "--mcp-protocol 2025-11-25 checks only 2025-11-25" in finding.reason


def test_a_legacy_server_given_as_http_is_named_with_the_target_to_use() -> None:
    _, launch = sse_target("clean_sse.py")
    run = run_sse_area(Settings(server="http://127.0.0.1:{port}/sse", launch=launch, timeout=15.0))
    assert run.error is not None
    assert "is a legacy HTTP+SSE endpoint (the 2024-11-05 transport), not streamable HTTP" in run.error
    assert "`endpoint` event (/messages/?session_id=" in run.error
    assert "give the target as sse+http://127.0.0.1:{port}/sse (e.g. --mcp-server=sse+http://" in run.error
    assert all(f.outcome == "n/a" for f in run.findings)


def test_a_streamable_http_server_that_fails_gets_no_legacy_hint() -> None:
    run = run_sse_area(Settings(server="http://127.0.0.1:{port}/nowhere",
                                launch=f"python {SERVERS / 'clean_raw.py'} --http --port {{port}}", timeout=15.0))
    assert run.error is not None and "legacy" not in run.error


def test_a_stream_without_endpoint_event_ends_the_run_within_the_timeout() -> None:
    started = time.monotonic()
    run = run_sse_area(settings_for(ROBUSTNESS["no-endpoint-event"], timeout=2.0))
    assert run.error is not None
    assert "sent no `endpoint` event within 2 s" in run.error and "(SSE-01)" in run.error
    assert time.monotonic() - started < 2.0 + 15.0


def test_the_reference_server_passes_over_sse_in_strict_mode() -> None:
    from mcptest.checks import CHECKS

    areas = tuple({check.area for check in CHECKS} - {"fuzz"})  # fuzzing is covered over the other transports
    launch = f"{sys.executable} -m reference_server --transport sse --port {{port}}"
    run = run_all(Settings(server="sse+http://127.0.0.1:{port}/sse", launch=launch, strict=True, timeout=30.0), areas)
    run.close()
    assert run.error is None, run.error
    assert run.versions == ["2024-11-05", "2025-11-25"]
    bad = [f"{f.outcome} {f.check}@{f.version} {f.item}: {f.message}"
           for f in run.findings if f.outcome in ("fail", "warn")]
    assert bad == [], "\n\n".join(bad)
    passed = {f.check for f in run.findings if f.outcome == "pass"}
    assert SSE_CHECKS | {"BASE-18", "TOOL-05"} <= passed, sorted(passed)


def test_fixtures_and_fuzzing_over_sse(pytester: pytest.Pytester) -> None:
    server, launch = sse_target("clean_raw.py")
    pytester.makepyfile(
        test_over_sse="""
        import pytest

        def test_session(mcp_session):
            assert mcp_session.call_tool("add", {"a": 2, "b": 3}).structured_content == {"sum": 5}

        def test_wire(mcp_wire):
            assert mcp_wire.transport == "sse"
            assert mcp_wire.request("tools/call", {"name": "no-such-tool", "arguments": {}}).error_code == -32602

        @pytest.mark.anyio
        async def test_client(mcp_client):
            result = await mcp_client.call_tool("echo", {"text": "héllo ✓"})
            assert result.content[0].text == "héllo ✓"

        def test_connect(mcp_connect, mcp_server):
            session = mcp_connect("sse+" + mcp_server.url)
            assert {tool.name for tool in session.list_tools().tools} >= {"add", "echo"}

        @pytest.mark.mcp_fuzz(max_examples=10, tools=["add"])
        def test_fuzz(mcp_fuzz):
            outcomes = mcp_fuzz()
            assert (outcomes["add (valid)"], outcomes["add (invalid)"]) == ("pass", "pass")

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    result = pytester.runpytest(f"--mcp-server={server}", "--mcp-launch", launch, "test_over_sse.py", "-p", "anyio")
    result.assert_outcomes(passed=5)
