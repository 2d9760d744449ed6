"""Built-in suite: JSON-RPC 2.0 framing (one test per check, per item where the check is per item)."""

AREA = "jsonrpc"


def test_jsonrpc(mcp_check):
    mcp_check.run_check()
