"""Built-in suite: Streamable HTTP at 2026-07-28 (statuses, routing headers, response streams)."""

AREA = "mhttp"


def test_mhttp(mcp_check):
    mcp_check.run_check()
