"""Built-in suite: prompts (one test per check, per item where the check is per item)."""

AREA = "prompts"


def test_prompts(mcp_check):
    mcp_check.run_check()
