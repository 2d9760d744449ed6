"""Built-in suite: the legacy HTTP+SSE transport of 2024-11-05 (one test per check)."""

AREA = "sse"


def test_sse(mcp_check):
    mcp_check.run_check()
