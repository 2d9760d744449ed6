"""Throwaway databases for real: seeding, isolation, URLs for other processes, teardown, actionable errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mcptest.mocks import MockConfigError, ServiceUnavailableError, throwaway_database
from mcptest.mocks.postgres import connect, database_exists, unique_database_name


def test_seeds_sql_then_yaml_rows_with_parameters(server_url: str | None, data_dir: Path) -> None:
    with throwaway_database(server_url) as db:
        db.seed(data_dir / "schema.sql", data_dir / "rows.yaml")
        assert db.count("users") == 2 and db.count("orders") == 2
        names = [row[0] for row in db.query("SELECT name FROM users ORDER BY id")]
        assert names == ["Ada O'Brien", "Robert'); DROP TABLE users; --"]  # stored literally, not executed
        profile = db.scalar(f"SELECT profile FROM users WHERE id = {db.placeholder}", [1])
        assert json.loads(profile) == {"lang": "en", "tags": ["admin"]}


def test_two_databases_never_see_each_others_rows(server_url: str | None, data_dir: Path) -> None:
    with throwaway_database(server_url, label="first") as first, \
            throwaway_database(server_url, label="second") as second:
        for db in (first, second):
            db.seed(data_dir / "schema.sql")
        first.execute(f"INSERT INTO users (id, name) VALUES ({first.placeholder}, {first.placeholder})", [7, "only"])
        assert first.count("users") == 1
        assert second.count("users") == 0
        assert first.url != second.url


def test_url_reaches_the_same_database_from_another_process(server_url: str | None, data_dir: Path) -> None:
    reader = ("import os, sys\n"
              "url = os.environ['DATABASE_URL']\n"
              "if url.startswith('sqlite:///'):\n"
              "    import sqlite3; conn = sqlite3.connect(url.removeprefix('sqlite:///'))\n"
              "else:\n"
              "    import psycopg; conn = psycopg.connect(url)\n"
              "print(conn.execute('SELECT name FROM users WHERE id = 1').fetchone()[0])\n")
    with throwaway_database(server_url) as db:
        db.seed(data_dir / "schema.sql", data_dir / "rows.yaml")
        done = subprocess.run([sys.executable, "-c", reader], env=db.env, capture_output=True, text=True,
                              timeout=30, check=True)
    assert done.stdout.strip() == "Ada O'Brien"


def test_failed_seed_names_the_file_and_leaves_nothing_behind(server_url: str | None, data_dir: Path) -> None:
    with throwaway_database(server_url) as db:
        with pytest.raises(MockConfigError, match=r"broken\.sql.*no_such_table"):
            db.seed(data_dir / "broken.sql")
        with pytest.raises(Exception, match="fine"):
            db.count("fine")  # the script ran in one transaction, so its first table was rolled back


def test_sqlite_is_a_file_under_the_given_directory_and_kept(tmp_path: Path) -> None:
    with throwaway_database(directory=tmp_path) as db:
        db.execute("CREATE TABLE t (x INTEGER)")
        assert db.backend == "sqlite" and db.url == f"sqlite:///{tmp_path.resolve()}/mcp_db.sqlite3"
        assert db.env == {"DATABASE_URL": db.url}
    assert sqlite3.connect(db.name).execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_sqlite_temp_directory_is_removed_without_a_directory() -> None:
    with throwaway_database("sqlite") as db:
        assert Path(db.name).is_file()
    assert not Path(db.name).parent.exists()


def test_postgres_database_is_dropped_even_with_a_connection_left_open(postgres_url: str) -> None:
    with throwaway_database(postgres_url, label="test_drop") as db:
        assert db.backend == "postgresql" and db.name.startswith("mcptest_test_drop_")
        assert db.env["DATABASE_URL"].endswith("/" + db.name)
        leftover = connect(db.url, purpose="simulating a server under test")  # like a server that never closes
        assert database_exists(postgres_url, db.name)
    assert not database_exists(postgres_url, db.name)
    assert leftover.closed or leftover.broken or _connection_is_dead(leftover)


def _connection_is_dead(connection: object) -> bool:
    try:
        connection.execute("SELECT 1")  # type: ignore[attr-defined]
    except Exception:  # psycopg.OperationalError: terminated by the drop
        return True
    return False


def test_unsupported_url_says_which_urls_work() -> None:
    with pytest.raises(MockConfigError, match=r"not supported.*postgresql://user:password@"), \
            throwaway_database("mysql://root:pw@127.0.0.1/db"):
        pytest.fail("unreachable")


def test_unreachable_postgres_is_actionable_and_hides_the_password() -> None:
    with pytest.raises(ServiceUnavailableError) as caught, \
            throwaway_database("postgresql://someone:s3cret@127.0.0.1:1/postgres"):
        pytest.fail("unreachable")
    message = str(caught.value)
    assert "postgresql://someone:***@127.0.0.1:1/postgres" in message and "s3cret" not in message
    assert "--mcp-db-url" in message and "unset it to use SQLite" in message


def test_database_names_are_unique_safe_and_short() -> None:
    names = {unique_database_name('test_x[param "quoted";' + "y" * 100) for _ in range(50)}
    assert len(names) == 50
    assert all(len(name) <= 63 and name.replace("_", "").isalnum() and name == name.lower() for name in names)
