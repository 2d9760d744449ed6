"""The lexical statement policy: one statement, allowed kinds, writes only when enabled."""

from __future__ import annotations

import pytest

from reference_server.data.sqlguard import check_statement, first_keyword, split_statements
from reference_server.errors import QueryRejected


@pytest.mark.parametrize(
    ("sql", "count"),
    [
        ("SELECT 1", 1),
        ("SELECT 1;", 1),
        ("SELECT ';' AS semi", 1),
        ('SELECT 1 AS "a;b"', 1),
        ("SELECT 1 -- ; trailing\n", 1),
        ("SELECT /* ; */ 1", 1),
        ("SELECT $$a;b$$", 1),
        ("SELECT $1, $2", 1),
        ("SELECT 1; SELECT 2", 2),
        ("SELECT 'it''s'; DROP TABLE users", 2),
        ("; ;", 0),
    ],
)
def test_split_respects_literals_and_comments(sql: str, count: int) -> None:
    assert len(split_statements(sql)) == count


def test_kinds() -> None:
    assert check_statement("  -- hi\n SELECT 1", allow_writes=False) == "read"
    assert check_statement("WITH x AS (SELECT 1) SELECT * FROM x", allow_writes=False) == "read"
    assert check_statement("(SELECT 1)", allow_writes=False) == "read"
    assert check_statement("INSERT INTO t VALUES (1)", allow_writes=True) == "write"
    assert first_keyword("/* c */ delete from t") == "DELETE"


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("", "empty"),
        ("SELECT 1; SELECT 2", "2 statements"),
        ("DELETE FROM users", "read-only"),
        ("DROP TABLE users", "'DROP' statements are not allowed"),
        ("PRAGMA writable_schema = 1", "'PRAGMA'"),
        ("ATTACH DATABASE 'x' AS y", "'ATTACH'"),
        ("SELECT 'unterminated", "unterminated"),
        ("SELECT 1 /* open", "unterminated"),
    ],
)
def test_rejections_say_why(sql: str, fragment: str) -> None:
    with pytest.raises(QueryRejected, match=fragment):
        check_statement(sql, allow_writes=False)
