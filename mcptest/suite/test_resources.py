"""Built-in suite: resources (one test per check, per item where the check is per item)."""

AREA = "resources"


def test_resources(mcp_check):
    mcp_check.run_check()
