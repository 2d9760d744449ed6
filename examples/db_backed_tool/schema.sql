-- Portable across SQLite and PostgreSQL: mcp_db runs it on whichever backend is configured.
CREATE TABLE notes (
    author TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (author, title)
);
