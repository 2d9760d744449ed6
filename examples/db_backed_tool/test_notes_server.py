"""Tests of the notes server against a real throwaway database (SQLite, or PostgreSQL with --mcp-db-url)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from notes_server import build_server

pytestmark = pytest.mark.mcp_db(seed=["schema.sql", "notes.yaml"])
SERVER = f"{sys.executable} {Path(__file__).with_name('notes_server.py')}"


def test_lists_the_seeded_notes(mcp_db, mcp_connect) -> None:
    session = mcp_connect(build_server(mcp_db.url))  # in memory: no subprocess
    result = session.call_tool("list_titles", {"author": "ada"})
    assert result.structured_content == {"result": ["bernoulli", "engines"]}


def test_saving_a_note_writes_one_row(mcp_db, mcp_connect) -> None:
    session = mcp_connect(build_server(mcp_db.url))
    session.call_tool("save_note", {"author": "grace", "title": "cobol", "body": "English-like code."})
    assert mcp_db.count("notes") == 4
    body = mcp_db.scalar(f"SELECT body FROM notes WHERE title = {mcp_db.placeholder}", ["cobol"])
    assert body == "English-like code."


def test_each_test_starts_from_the_seed_alone(mcp_db) -> None:
    assert mcp_db.count("notes") == 3  # the note saved by the previous test is not here


def test_server_subprocess_gets_the_database_through_its_environment(mcp_db, mcp_connect) -> None:
    session = mcp_connect(SERVER, env=mcp_db.env)  # a real process, DATABASE_URL in its environment
    session.call_tool("save_note", {"author": "ada", "title": "engines", "body": "rewritten"})
    assert mcp_db.query(f"SELECT body FROM notes WHERE title = {mcp_db.placeholder}", ["engines"]) == [("rewritten",)]
