"""Built-in suite: stateful sequences of safe tool calls keep the server's invariants (STATE-*, --mcp-stateful)."""

AREA = "stateful"


def test_stateful(mcp_check):
    mcp_check.run_check()
