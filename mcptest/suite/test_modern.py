"""Built-in suite: the 2026-07-28 era (envelope, discovery, results, MRTR, subscriptions, logs, cancellation)."""

AREA = "modern"


def test_modern(mcp_check):
    mcp_check.run_check()
