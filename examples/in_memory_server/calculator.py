"""A small MCPServer with two tools, tested in memory (no subprocess) through mcp_connect."""

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

app = MCPServer("calculator", log_level="WARNING")


@app.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@app.tool()
def divide(a: float, b: float) -> float:
    """Divide a by b; dividing by zero is a tool error, not a crash."""
    if b == 0:
        raise ToolError("cannot divide by zero")
    return a / b
