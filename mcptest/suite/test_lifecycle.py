"""Built-in suite: the initialize handshake and shutdown (one test per check, per item where the check is per item)."""

import pytest

AREA = "lifecycle"


def test_lifecycle(mcp_check):
    mcp_check.run_check()


def test_server_starts(mcp_run):
    """The server starts and completes the initialize handshake (every other check needs it)."""
    if mcp_run.error:
        pytest.fail(f"[LIFE-01] the server could not be initialized: {mcp_run.error}", pytrace=False)
