"""Built-in suite: tools (one test per check, per item where the check is per item)."""

AREA = "tools"


def test_tools(mcp_check):
    mcp_check.run_check()
