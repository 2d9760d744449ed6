"""Fixed SQL used by the backends, one frozen set per dialect: schema migrations and the user repository.

Every value is bound as a parameter; no statement here is assembled from strings at run time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """The static statements one backend runs."""

    migrations: tuple[tuple[int, tuple[str, ...]], ...]
    migration_table: str
    applied_versions: str
    record_version: str
    insert_user: str
    get_user: str
    update_user: str
    list_users: str
    count_users: str
    table_names: str
    ping: str


SQLITE = Dialect(
    migrations=(
        (
            1,
            (
                "CREATE TABLE IF NOT EXISTS users ("
                " id INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL CHECK (length(trim(name)) > 0),"
                " email TEXT NOT NULL UNIQUE,"
                " created_at TEXT NOT NULL,"
                " updated_at TEXT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS users_email_idx ON users (email)",
            ),
        ),
    ),
    migration_table=(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    ),
    applied_versions="SELECT version FROM schema_migrations",
    record_version="INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
    insert_user=(
        "INSERT INTO users (name, email, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "RETURNING id, name, email, created_at, updated_at"
    ),
    get_user="SELECT id, name, email, created_at, updated_at FROM users WHERE id = ?",
    update_user=(
        "UPDATE users SET name = COALESCE(?, name), email = COALESCE(?, email), updated_at = ? "
        "WHERE id = ? RETURNING id, name, email, created_at, updated_at"
    ),
    list_users="SELECT id, name, email, created_at, updated_at FROM users WHERE id > ? ORDER BY id LIMIT ?",
    count_users="SELECT count(*) FROM users",
    table_names="SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    ping="SELECT 1",
)

POSTGRES = Dialect(
    migrations=(
        (
            1,
            (
                "CREATE TABLE IF NOT EXISTS users ("
                " id BIGSERIAL PRIMARY KEY,"
                " name TEXT NOT NULL CHECK (length(btrim(name)) > 0),"
                " email TEXT NOT NULL UNIQUE,"
                " created_at TEXT NOT NULL,"
                " updated_at TEXT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS users_email_idx ON users (email)",
            ),
        ),
    ),
    migration_table=(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    ),
    applied_versions="SELECT version FROM schema_migrations",
    record_version="INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
    insert_user=(
        "INSERT INTO users (name, email, created_at, updated_at) VALUES ($1, $2, $3, $4) "
        "RETURNING id, name, email, created_at, updated_at"
    ),
    get_user="SELECT id, name, email, created_at, updated_at FROM users WHERE id = $1",
    update_user=(
        "UPDATE users SET name = COALESCE($1, name), email = COALESCE($2, email), updated_at = $3 "
        "WHERE id = $4 RETURNING id, name, email, created_at, updated_at"
    ),
    list_users="SELECT id, name, email, created_at, updated_at FROM users WHERE id > $1 ORDER BY id LIMIT $2",
    count_users="SELECT count(*) FROM users",
    table_names=(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    ),
    ping="SELECT 1",
)

POSTGRES_COLUMNS = (
    "SELECT c.column_name, c.data_type, c.is_nullable, c.column_default,"
    " EXISTS (SELECT 1 FROM information_schema.table_constraints tc"
    "  JOIN information_schema.key_column_usage k"
    "   ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema"
    "  WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema"
    "   AND tc.table_name = c.table_name AND k.column_name = c.column_name) AS primary_key"
    " FROM information_schema.columns c"
    " WHERE c.table_schema = current_schema() AND c.table_name = $1"
    " ORDER BY c.ordinal_position"
)

SQLITE_COLUMNS = 'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid'
