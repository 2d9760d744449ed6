"""Cancellation checks cancel only a call the server is seen running: it MAY ignore a cancellation it cannot place."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from mcptest.checks.base import CHECKS
from mcptest.plan import Case
from mcptest.runner import SuiteRun
from mcptest.schedule import Scheduler
from mcptest.settings import Settings
from tests.conftest import SERVERS


def test_over_http_a_call_read_late_is_cancelled_only_once_it_runs(tmp_path: Path) -> None:
    """Over HTTP each POST is a connection of its own: the answer to a later request does not show that the call
    arrived. Here every slow_count after the first waits longer than the first took before the server reads it. A
    cancellation sent before then names a request the server does not know, which it MAY ignore; HTTP-16 waits for
    the call's first progress notification instead, so this clean server passes (it was a false HTTP-16 warning on a
    loaded machine)."""
    server = tmp_path / "reads_calls_late.py"
    server.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(SERVERS)!r})
        from _raw import main
        from _raw.http import HttpHandler

        class Handler(HttpHandler):
            first = None  # seconds the first slow_count took

            def post_request(self, session, msg):
                slow = msg.get("method") == "tools/call" and (msg.get("params") or {{}}).get("name") == "slow_count"
                if slow and Handler.first is None:
                    started = time.monotonic()
                    super().post_request(session, msg)
                    Handler.first = time.monotonic() - started
                    return
                if slow:
                    time.sleep(Handler.first + 0.5)  # a queue in front of the server: the call is read late
                super().post_request(session, msg)

        main(http=Handler)
    """))
    url, launch = "http://127.0.0.1:{port}/mcp", f"{sys.executable} {server} --http --port {{port}}"
    run = SuiteRun.start(Settings(server=url, launch=launch, fuzz_examples=0, protocol="2025-11-25"))
    try:
        assert run.error is None and run.coverage is not None, run.error
        version = run.versions[-1]
        http16 = next(c for c in CHECKS if c.id == "HTTP-16")
        case = Case(0, http16, None, version)
        scheduler = Scheduler(run.settings, {version: run.coverage.states[version]}, lambda case, found: None)
        try:
            scheduler.submit([case])
            found = scheduler.result(case, timeout=60)
        finally:
            scheduler.close()
        assert (found.outcome, found.reason) == ("pass", ""), found.render()
    finally:
        run.close()
