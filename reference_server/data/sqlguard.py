"""Statement policy for user-supplied SQL: exactly one statement, of an allowed kind, writes only when enabled.

This is the first line of defence and gives clear messages; the backends enforce the same policy inside the
engine as well (SQLite authorizer, PostgreSQL read-only transactions), so a statement that slips past the
lexical check still cannot write when writes are off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from reference_server.data.base import Statement, check_param_values
from reference_server.errors import InvalidInput, QueryRejected

READ_KEYWORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
WRITE_KEYWORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
MAX_SQL_LENGTH = 100_000


def _skip_quoted(sql: str, start: int, quote: str) -> int:
    """Index just past the quoted run that opens at ``start`` (doubled quotes escape)."""
    i = start + 1
    while i < len(sql):
        if sql[i] == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise QueryRejected(f"unterminated {quote} quote starting at character {start}; close the literal")


def _skip_dollar(sql: str, start: int) -> int | None:
    """Index past a PostgreSQL ``$tag$...$tag$`` string opening at ``start``, or None if it is not one."""
    end = sql.find("$", start + 1)
    tag = sql[start : end + 1] if end != -1 else ""
    if not tag or not all(ch.isalnum() or ch == "_" for ch in tag[1:-1]) or tag[1:2].isdigit():
        return None
    close = sql.find(tag, end + 1)
    if close == -1:
        raise QueryRejected(f"unterminated dollar-quoted string {tag} at character {start}")
    return close + len(tag)


def split_statements(sql: str) -> list[str]:
    """Split SQL text on top-level semicolons, ignoring those inside literals, identifiers and comments."""
    statements: list[str] = []
    begin = i = 0
    while i < len(sql):
        ch = sql[i]
        if ch in ("'", '"', "`"):
            i = _skip_quoted(sql, i, ch)
        elif ch == "-" and sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = len(sql) if newline == -1 else newline + 1
        elif ch == "/" and sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            if close == -1:
                raise QueryRejected(f"unterminated /* comment at character {i}; close it with */")
            i = close + 2
        elif ch == "$" and (after := _skip_dollar(sql, i)) is not None:
            i = after
        elif ch == ";":
            statements.append(sql[begin:i])
            begin = i = i + 1
        else:
            i += 1
    statements.append(sql[begin:])
    return [s.strip() for s in statements if strip_comments(s).strip()]


def strip_comments(sql: str) -> str:
    """Remove leading comments and whitespace (enough to find the first keyword)."""
    text = sql.lstrip()
    while text.startswith(("--", "/*")):
        if text.startswith("--"):
            newline = text.find("\n")
            text = "" if newline == -1 else text[newline + 1 :].lstrip()
        else:
            close = text.find("*/")
            text = "" if close == -1 else text[close + 2 :].lstrip()
    return text


def first_keyword(sql: str) -> str:
    """The statement's leading keyword, upper-cased (``""`` when there is none)."""
    text = strip_comments(sql).lstrip("(").lstrip()
    word = ""
    for ch in text:
        if not (ch.isalpha() or ch == "_"):
            break
        word += ch
    return word.upper()


def check_statement(sql: str, *, allow_writes: bool) -> Literal["read", "write"]:
    """Validate one user statement and return its kind.

    Raises:
        QueryRejected: Empty, too long, several statements, a kind other than SELECT/WITH/VALUES or
            INSERT/UPDATE/DELETE, or a write while the server is read-only.
    """
    if len(sql) > MAX_SQL_LENGTH:
        raise QueryRejected(f"query is {len(sql)} characters; the limit is {MAX_SQL_LENGTH}")
    parts = split_statements(sql)
    if not parts:
        raise QueryRejected("query is empty; pass one SQL statement such as 'SELECT * FROM users WHERE id = ?'")
    if len(parts) > 1:
        raise QueryRejected(
            f"query contains {len(parts)} statements; send exactly one per call "
            "(use batch_operations to run several in one transaction)"
        )
    keyword = first_keyword(parts[0])
    if keyword in READ_KEYWORDS:
        return "read"
    if keyword in WRITE_KEYWORDS:
        if not allow_writes:
            raise QueryRejected(
                f"{keyword} is a write and this server is read-only; "
                "set database.allow_writes: true (or MCP_DB_ALLOW_WRITES=1) to allow INSERT/UPDATE/DELETE"
            )
        return "write"
    shown = keyword or sql.strip()[:20]
    raise QueryRejected(
        f"{shown!r} statements are not allowed; only SELECT/WITH/VALUES (and INSERT/UPDATE/DELETE when "
        "writes are enabled) may run. Schema changes go through migrations."
    )


def check_batch(statements: Sequence[Statement], *, allow_writes: bool) -> None:
    """Check every statement of a batch before any runs, naming the first one refused."""
    for index, statement in enumerate(statements):
        try:
            check_statement(statement.sql, allow_writes=allow_writes)
            check_param_values(statement.params)
        except InvalidInput as exc:
            raise QueryRejected(f"operation {index}: {exc}; nothing was executed") from exc
