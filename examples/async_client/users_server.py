"""A small stdio MCP server (run as a subprocess by the tests): users kept in memory for one process."""

import re

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

app = MCPServer("users", log_level="WARNING")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class User(BaseModel):
    """A stored user."""

    id: int
    name: str
    email: str


USERS: dict[int, User] = {}


@app.tool()
def create_user(name: str, email: str) -> User:
    """Create a user; the name must not be empty and the email must look like one."""
    if not name.strip():
        raise ToolError("name must not be empty")
    if not EMAIL.match(email):
        raise ToolError(f"not an email address: {email!r}")
    user = User(id=len(USERS) + 1, name=name.strip(), email=email)
    USERS[user.id] = user
    return user


@app.tool()
def get_user(user_id: int) -> User:
    """Fetch a user by id."""
    if user_id not in USERS:
        raise ToolError(f"no user with id {user_id}")
    return USERS[user_id]


@app.resource("users://count", mime_type="text/plain")
def user_count() -> str:
    """How many users exist."""
    return str(len(USERS))


if __name__ == "__main__":
    app.run()
