"""Built-in suite: ping, cancellation, progress, pagination, logging, completion
(one test per check, per item where the check is per item)."""

AREA = "utilities"


def test_utilities(mcp_check):
    mcp_check.run_check()
