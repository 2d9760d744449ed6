"""Built-in suite: every result, notification and server request against its protocol version's schema."""

AREA = "schema"


def test_schema(mcp_check):
    mcp_check.run_check()
