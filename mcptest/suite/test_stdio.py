"""Built-in suite: the stdio transport (one test per check, per item where the check is per item)."""

AREA = "stdio"


def test_stdio(mcp_check):
    mcp_check.run_check()
