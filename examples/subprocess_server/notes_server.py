"""A small stdio MCP server (run as a subprocess by the tests): notes kept in memory for one process."""

from mcp.server import MCPServer

app = MCPServer("notes", log_level="WARNING")
NOTES: dict[str, str] = {}


@app.tool()
def save(title: str, body: str) -> str:
    """Save a note under a title (replacing any note with that title)."""
    NOTES[title] = body
    return f"saved {title!r}"


@app.tool()
def read(title: str) -> str:
    """Read the note with this title."""
    return NOTES.get(title, "")


if __name__ == "__main__":
    app.run()
