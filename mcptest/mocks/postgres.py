"""PostgreSQL for throwaway databases: create a uniquely named database per test, drop it afterwards (psycopg 3)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mcptest.mocks.dialect import Row, batches_by_columns, split_table_name
from mcptest.mocks.errors import MockConfigError, ServiceUnavailableError

psycopg: ModuleType | None
try:  # imported once, up front: psycopg's C extension raises the error classes of the first import
    import psycopg
    import psycopg.sql
    import psycopg.types.json
except ImportError:  # PostgreSQL support is optional; SQLite needs nothing
    psycopg = None

POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})
_MAX_IDENTIFIER = 63  # PostgreSQL truncates longer names (NAMEDATALEN - 1)
_URL_SOURCES = "--mcp-db-url, ini mcp_db_url or env MCPTEST_DB_URL"


def _psycopg() -> Any:
    if psycopg is None:
        raise MockConfigError(f"a PostgreSQL URL was given ({_URL_SOURCES}) but psycopg is not installed: "
                              "run `pip install 'psycopg[binary]'`, or unset the URL to use SQLite")
    return psycopg


def redact(url: str) -> str:
    """Return ``url`` with its password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def with_database(url: str, name: str) -> str:
    """Return the server URL ``url`` pointing at database ``name`` (user, password, host and query kept)."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def unique_database_name(label: str = "") -> str:
    """A fresh lowercase database name ``mcptest_<label>_<random>`` that fits PostgreSQL's 63-byte limit."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    suffix = uuid.uuid4().hex[:12]
    room = _MAX_IDENTIFIER - len("mcptest__") - len(suffix)
    return f"mcptest_{slug[:room]}_{suffix}" if slug else f"mcptest_{suffix}"


def connect(url: str, *, purpose: str) -> Any:
    """Open an autocommit psycopg connection, turning connection failures into an actionable error."""
    driver = _psycopg()
    try:
        return driver.connect(url, autocommit=True, connect_timeout=10)
    except driver.OperationalError as exc:
        raise ServiceUnavailableError(
            f"could not connect to PostgreSQL at {redact(url)} ({purpose}): {str(exc).strip()}\n"
            f"The URL comes from {_URL_SOURCES}: start that server, fix the URL, or unset it to use SQLite."
        ) from exc


def create_database(server_url: str, name: str) -> None:
    """Create database ``name`` on the server at ``server_url`` (a role with CREATEDB is needed)."""
    sql = _psycopg().sql
    with connect(server_url, purpose="to create a throwaway database") as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


_TERMINATE_CLIENTS = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'")


def drop_database(server_url: str, name: str) -> None:
    """Refuse new connections to ``name``, end the client connections still open (e.g. a server under test), drop it.

    Neither ``pg_terminate_backend`` on every backend nor ``DROP DATABASE ... WITH (FORCE)``: both also signal an
    autovacuum worker that happens to be on the database, which only a superuser or a member of
    ``pg_signal_backend`` may do, so they fail at random for a role that merely has CREATEDB. A plain
    ``DROP DATABASE`` ends autovacuum workers itself and waits (up to 5 s) for the terminated clients to exit.
    """
    sql = _psycopg().sql
    with connect(server_url, purpose="to drop a throwaway database") as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            return
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
        admin.execute(_TERMINATE_CLIENTS, (name,))
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def database_exists(server_url: str, name: str) -> bool:
    """Whether database ``name`` exists on the server at ``server_url``."""
    with connect(server_url, purpose="to look up a database") as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


class PostgresDialect:
    """PostgreSQL through psycopg 3 (``%s`` placeholders, identifiers composed with ``psycopg.sql``)."""

    backend = "postgresql"
    placeholder = "%s"

    def run_script(self, connection: Any, script: str) -> None:
        """Run ``script`` (several statements, no parameters) in one transaction."""
        with connection.transaction():
            connection.execute(script.encode())

    def insert_rows(self, connection: Any, table: str, rows: Sequence[Row]) -> None:
        """Insert ``rows`` with bound parameters; dict/list values are sent as ``jsonb``."""
        driver = _psycopg()
        sql, jsonb = driver.sql, driver.types.json.Jsonb
        target = sql.Identifier(*split_table_name(table))
        with connection.transaction(), connection.cursor() as cursor:
            for columns, values in batches_by_columns(rows):
                statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    target, sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sql.SQL(", ").join(sql.Placeholder() for _ in columns))
                cursor.executemany(statement, [tuple(jsonb(v) if isinstance(v, dict | list) else v for v in row)
                                               for row in values])

    def count_rows(self, connection: Any, table: str) -> int:
        """Count the rows of ``table``."""
        sql = _psycopg().sql
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*split_table_name(table)))
        return int(connection.execute(query).fetchone()[0])
