"""Real throwaway databases for tests: a SQLite temp file by default, a fresh PostgreSQL database on request."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from mcptest.mocks import postgres
from mcptest.mocks.dialect import Dialect, SqliteDialect
from mcptest.mocks.errors import MockConfigError
from mcptest.mocks.seed import RowsSeed, SqlScript, load_seed

Backend = Literal["sqlite", "postgresql"]
SQLITE_FILENAME = "mcp_db.sqlite3"


@dataclass(frozen=True)
class ThrowawayDatabase:
    """A database that exists for one test and is thrown away afterwards.

    Attributes:
        backend: ``"sqlite"`` or ``"postgresql"``.
        url: Where a server under test finds it: ``sqlite:////abs/path.sqlite3`` (SQLAlchemy style, three
            slashes then the absolute path) or ``postgresql://user:pw@host:port/mcptest_...``.
        name: The SQLite file path, or the PostgreSQL database name.
        connection: An open DB-API connection in autocommit mode (``sqlite3.Connection`` or
            ``psycopg.Connection``) for setting up and asserting; use its own placeholder style.
    """

    backend: Backend
    url: str
    name: str
    connection: Any = field(repr=False)
    dialect: Dialect = field(repr=False, compare=False)

    @property
    def env(self) -> dict[str, str]:
        """Environment variables for a server process: ``{"DATABASE_URL": url}``."""
        return {"DATABASE_URL": self.url}

    @property
    def placeholder(self) -> str:
        """The parameter placeholder of :attr:`connection`: ``?`` (SQLite) or ``%s`` (PostgreSQL)."""
        return self.dialect.placeholder

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run one statement with bound parameters (written with :attr:`placeholder`)."""
        self.connection.execute(sql, tuple(params))

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run one query with bound parameters and return all rows as tuples."""
        return [tuple(row) for row in self.connection.execute(sql, tuple(params)).fetchall()]

    def scalar(self, sql: str, params: Sequence[object] = ()) -> Any:
        """Run one query and return the first column of its first row (``None`` when there is no row)."""
        row = self.connection.execute(sql, tuple(params)).fetchone()
        return None if row is None else row[0]

    def count(self, table: str) -> int:
        """Number of rows in ``table`` (``table`` or ``schema.table``, quoted safely)."""
        return self.dialect.count_rows(self.connection, table)

    def seed(self, *paths: Path) -> None:
        """Load seed files in order: ``.sql`` scripts run as-is, ``.yaml`` rows are inserted with parameters."""
        for path in paths:
            seed = load_seed(Path(path))
            try:
                if isinstance(seed, SqlScript):
                    self.dialect.run_script(self.connection, seed.text)
                else:
                    self._insert(seed)
            except MockConfigError:
                raise
            except Exception as exc:
                raise MockConfigError(f"mcp_db could not load seed file {seed.source} into the {self.backend} "
                                      f"database: {type(exc).__name__}: {exc}") from exc

    def _insert(self, seed: RowsSeed) -> None:
        for table in seed.tables:
            self.dialect.insert_rows(self.connection, table.table, table.rows)


def backend_for(server_url: str | None) -> Backend:
    """Which backend a configured URL selects: none, empty or ``sqlite`` means SQLite.

    Raises:
        MockConfigError: The URL has another scheme.
    """
    if not server_url or server_url.strip().lower() in {"sqlite", "sqlite:", "sqlite://"}:
        return "sqlite"
    scheme = urlsplit(server_url).scheme.lower()
    if scheme in postgres.POSTGRES_SCHEMES:
        return "postgresql"
    raise MockConfigError(f"mcp_db URL {postgres.redact(server_url)!r} is not supported: give a server URL like "
                          "postgresql://user:password@127.0.0.1:5432/postgres, or `sqlite` (the default)")


@contextmanager
def throwaway_database(server_url: str | None = None, *, directory: Path | None = None,
                       label: str = "") -> Iterator[ThrowawayDatabase]:
    """Create a throwaway database, yield it, and remove it on exit.

    Args:
        server_url: ``None``/``"sqlite"`` for a SQLite file; a ``postgresql://`` URL of a server (any existing
            database, e.g. ``/postgres``) on which a uniquely named database is created, then dropped on exit
            after terminating the connections left on it.
        directory: Where the SQLite file goes (kept afterwards); default: a temp directory removed on exit.
        label: Readable part of the PostgreSQL database name (e.g. the test name).

    Raises:
        MockConfigError: Unsupported URL, or psycopg missing for PostgreSQL.
        ServiceUnavailableError: The PostgreSQL server cannot be reached.
    """
    with ExitStack() as stack:
        if backend_for(server_url) == "sqlite":
            if directory is None:
                directory = Path(tempfile.mkdtemp(prefix="mcp_db_"))
                stack.callback(shutil.rmtree, directory, ignore_errors=True)
            path = (directory / SQLITE_FILENAME).resolve()
            connection = stack.enter_context(closing(SqliteDialect.connect(str(path))))
            yield ThrowawayDatabase("sqlite", f"sqlite:///{path}", str(path), connection, SqliteDialect())
            return
        assert server_url is not None
        name = postgres.unique_database_name(label)
        postgres.create_database(server_url, name)
        stack.callback(postgres.drop_database, server_url, name)
        url = postgres.with_database(server_url, name)
        connection = stack.enter_context(closing(postgres.connect(url, purpose="to open the throwaway database")))
        yield ThrowawayDatabase("postgresql", url, name, connection, postgres.PostgresDialect())

