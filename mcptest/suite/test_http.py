"""Built-in suite: the streamable HTTP transport (one test per check, per item where the check is per item)."""

AREA = "http"


def test_http(mcp_check):
    mcp_check.run_check()
