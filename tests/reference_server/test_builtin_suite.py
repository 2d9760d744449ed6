"""mcptest's built-in suite in strict mode against ``python -m reference_server`` over stdio and over streamable
HTTP (launched by mcptest on a free port): no check fails or warns.

The fuzz area is left out here to keep this file fast (``probe_database`` is a deliberately slow tool, so fuzzing
it takes ~25 s); it runs in full against the Docker image (test_docker_image.py) and in README's main command
(``mcptest check "python -m reference_server" --strict``).
"""

from __future__ import annotations

import pytest
from _refsrv_helpers import SERVER_COMMAND

from mcptest import Settings, run_all
from mcptest.checks import CHECKS

AREAS = sorted({check.area for check in CHECKS})

# the timeout only bounds hangs: a loaded machine (the rest of the test run) starts an SDK server slowly
TARGETS = {
    "stdio": Settings(server=SERVER_COMMAND, strict=True, timeout=30.0),
    "http": Settings(
        server="http://127.0.0.1:{port}/mcp", launch=f"{SERVER_COMMAND} --transport http --port {{port}}", strict=True,
        timeout=30.0,
    ),
}


@pytest.mark.parametrize("transport", sorted(TARGETS))
def test_the_server_passes_the_builtin_suite_in_strict_mode(transport: str) -> None:
    run = run_all(TARGETS[transport], areas=tuple(area for area in AREAS if area != "fuzz"))
    run.close()
    assert run.error is None, run.error
    bad = [f"{f.outcome} {f.check} {f.item}: {f.message}" for f in run.findings if f.outcome in ("fail", "warn")]
    assert bad == [], "\n\n".join(bad)
    passed = {f.check for f in run.findings if f.outcome == "pass"}
    assert len(passed) > 40 and {"LIFE-01", "TOOL-01"} <= passed, sorted(passed)
    assert ("STDIO-01" in passed) is (transport == "stdio") and ("HTTP-01" in passed) is (transport == "http")
    counts = {outcome: sum(f.outcome == outcome for f in run.findings) for outcome in ("pass", "n/a")}
    summary = f"{counts['pass']} pass, {counts['n/a']} n/a, 0 fail, 0 warn"
    print(f"measured: {transport}, strict suite without fuzz: {summary}")


def test_with_the_conformance_fixtures_a_prompt_that_asks_for_input_is_not_a_failed_get() -> None:
    """``--env conformance`` adds a prompt that needs the client's elicitation capability: at 2026-07-28 the server
    answers -32021, the spec's way to ask, so PROMPT-02 has no messages to judge (n/a), not a failed get."""
    run = run_all(Settings(server=f"{SERVER_COMMAND} --env conformance", strict=True, fuzz_examples=0),
                  areas=("prompts",))
    run.close()
    assert run.error is None, run.error
    asking = [f for f in run.findings if f.check == "PROMPT-02" and f.item == "test_input_required_result_prompt"]
    assert {(f.version, f.outcome) for f in asking} == {("2025-11-25", "pass"), ("2026-07-28", "n/a")}, asking
    assert "asks the client for input first" in next(f.reason for f in asking if f.outcome == "n/a")
    assert not [f for f in run.findings if f.outcome in ("fail", "warn", "error")]
