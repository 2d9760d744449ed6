"""Built-in suite: every tool fuzzed from its inputSchema with Hypothesis (valid and invalid arguments)."""

AREA = "fuzz"


def test_fuzz(mcp_check):
    mcp_check.run_check()
