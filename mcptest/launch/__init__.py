"""Start MCP servers and stop them cleanly: stdio processes, HTTP servers, containers."""

from mcptest.launch.process import LaunchError, ServerExited, ServerProcess, stop_all

__all__ = ["LaunchError", "ServerExited", "ServerProcess", "stop_all"]
