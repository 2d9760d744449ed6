"""Data layer: the ``Database`` protocol and its SQLite (embedded default) and PostgreSQL backends."""

from __future__ import annotations

from urllib.parse import urlsplit

from reference_server.clock import Clock
from reference_server.config import DatabaseConfig
from reference_server.data.base import Column, Database, QueryResult, Statement, UserRow
from reference_server.data.sqlite import SQLiteDatabase

__all__ = ["Column", "Database", "QueryResult", "SQLiteDatabase", "Statement", "UserRow", "create_database"]


def create_database(config: DatabaseConfig, *, clock: Clock | None = None) -> Database:
    """Build the backend named by ``config.url`` (not yet connected: call ``await db.connect()``)."""
    scheme = urlsplit(config.url).scheme
    if scheme in ("postgresql", "postgres"):
        from reference_server.data.postgres import PostgresDatabase  # asyncpg is only needed for PostgreSQL

        return PostgresDatabase(config.url, pool_min=config.pool_min, pool_max=config.pool_max, clock=clock)
    return SQLiteDatabase(config.url, clock=clock)
