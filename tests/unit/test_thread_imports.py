"""No module is imported by two threads at once during a run: pytest rewrites the asserts of plugin modules (mcptest's,
Hypothesis') with ``ast.parse``, which is not thread-safe before CPython 3.11.8 (see ``mcptest.serial``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT, http_target, stdio_target

PROBE = textwrap.dedent("""
    import json, sys, threading
    events = []

    class Recorder:
        def find_spec(self, fullname, path=None, target=None):
            if fullname.startswith(("mcptest", "hypothesis")) and fullname not in sys.modules:
                events.append([fullname, threading.current_thread().name, started])
            return None

    started = False
    sys.meta_path.insert(0, Recorder())
    from mcptest.runner import SuiteRun
    from mcptest.settings import Settings

    run = SuiteRun.start(Settings(server=sys.argv[1], launch=sys.argv[2] or None, fuzz_examples=4, timeout=30.0))
    started = True
    run.run(run.cases)
    run.close()
    print(json.dumps({"error": run.error, "events": events}))
""")


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_a_run_imports_in_one_thread_at_a_time_and_nothing_once_checks_run(transport: str) -> None:
    server, launch = http_target("clean_raw.py") if transport == "http" else (stdio_target("clean_raw.py"), "")
    done = subprocess.run([sys.executable, "-c", PROBE, server, launch], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["error"] is None
    others = [(name, thread) for name, thread, _ in report["events"] if thread not in ("MainThread", "mcptest-preload")]
    assert not others, f"imported by other threads: {others}"
    late = [name for name, _, after_start in report["events"] if after_start]
    assert not late, f"imported while checks ran: {late}"
