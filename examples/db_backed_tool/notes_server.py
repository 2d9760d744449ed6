"""A small MCP server keeping notes in the database named by DATABASE_URL (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

from mcp.server import MCPServer


@contextmanager
def _connect(database_url: str) -> Iterator[tuple[Any, str]]:
    """Open the database for one call; yields the connection and its parameter placeholder."""
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)) as conn:
            yield conn, "?"
    elif database_url.startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            yield conn, "%s"
    else:
        raise ValueError(f"DATABASE_URL must be sqlite:///PATH or postgresql://..., got {database_url!r}")


def build_server(database_url: str) -> MCPServer:
    """Build the notes server on the database at ``database_url``."""
    server = MCPServer("notes")

    @server.tool()
    def save_note(author: str, title: str, body: str) -> str:
        """Create or replace the note `title` of `author`."""
        with _connect(database_url) as (conn, p):
            conn.execute(f"INSERT INTO notes (author, title, body) VALUES ({p}, {p}, {p}) "
                         "ON CONFLICT (author, title) DO UPDATE SET body = excluded.body", (author, title, body))
        return f"saved {title!r}"

    @server.tool()
    def list_titles(author: str) -> list[str]:
        """Titles of the notes of `author`, sorted."""
        with _connect(database_url) as (conn, p):
            rows = conn.execute(f"SELECT title FROM notes WHERE author = {p} ORDER BY title", (author,)).fetchall()
        return [row[0] for row in rows]

    return server


if __name__ == "__main__":
    build_server(os.environ["DATABASE_URL"]).run()
