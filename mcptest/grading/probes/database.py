"""Database probes, decided by looking into the grader's own database: rows, injection, atomic batches, the pool."""

from __future__ import annotations

import threading
from typing import Any

from mcptest.grading.context import GradingContext
from mcptest.grading.outcome import Miss
from mcptest.grading.probes import probe
from mcptest.grading.probes.server import user_of
from mcptest.grading.submission import RunningServer
from mcptest.grading.tools import call, find_rows, prepared
from mcptest.mocks.db import ThrowawayDatabase

PLACEHOLDERS = ("?", "$1", "%s", ":1")
ID_PAYLOADS = ("0 OR 1=1", "1 OR 1=1", "1; DROP TABLE grading_sentinel", "1' OR '1'='1",
               "0 UNION SELECT id, note, note FROM grading_sentinel")
NAME_PAYLOADS = ("O'Brien", "x'); DROP TABLE grading_sentinel; --", "Robert'); DELETE FROM grading_sentinel; --",
                 "' OR '1'='1")
TABLE_PAYLOADS = ("grading_sentinel' OR '1'='1", "users; DROP TABLE grading_sentinel", "users' --")
VALUE_PAYLOAD = "alpha' OR '1'='1"
POOL_LIMIT = 20


def _instance(ctx: GradingContext, backend: str) -> tuple[RunningServer, ThrowawayDatabase]:
    ctx.require_configurable()
    if backend == "postgres":
        db = ctx.postgres()
        return ctx.server("postgres"), db
    return ctx.server("main"), ctx.sqlite()


def _users_row(db: ThrowawayDatabase, email: str) -> tuple[Any, ...] | None:
    try:
        rows = db.query(f"SELECT id, name, email FROM users WHERE email = {db.placeholder}", (email,))
    except Exception as exc:  # noqa: BLE001 - the learner's schema decides; a missing table is their miss
        raise Miss(f"the database DATABASE_URL names has no readable users(id, name, email) table: "
                   f"{str(exc).splitlines()[0]}") from None
    return rows[0] if rows else None


@probe("rows-land")
def rows_land(ctx: GradingContext, backend: str = "sqlite") -> None:
    """create_user and update_user change rows in the database DATABASE_URL names; get_user reads them back."""
    server, db = _instance(ctx, backend)
    email = f"rows.{backend}@example.com"
    created = call(server, "create_user", {"name": "Row Probe", "email": email})
    if created.is_error:
        raise Miss(f"create_user failed on {db.backend}: {created.describe()}")
    row = _users_row(db, email)
    if row is None:
        raise Miss(f"create_user answered success on {db.backend}, but no users row with email {email} is in the "
                   "database DATABASE_URL names")
    updated = call(server, "update_user", {"user_id": row[0], "name": "Row Probe Renamed"})
    row = _users_row(db, email)
    if updated.is_error or row is None or row[1] != "Row Probe Renamed":
        raise Miss(f"update_user did not change the row on {db.backend}: {updated.describe()}; the row is now {row}")
    fetched = user_of(call(server, "get_user", {"user_id": row[0]}).payload)
    if not fetched or fetched.get("name") != "Row Probe Renamed":
        raise Miss(f"get_user({row[0]}) did not return the stored user on {db.backend}: got {fetched}")


def _sentinel(db: ThrowawayDatabase) -> list[tuple[Any, ...]] | str:
    try:
        return db.query("SELECT id, note FROM grading_sentinel ORDER BY id")
    except Exception as exc:  # noqa: BLE001 - a dropped table is exactly what this probe looks for
        return f"grading_sentinel is gone ({str(exc).splitlines()[0]})"


def _placeholder(server: RunningServer) -> str | None:
    """The placeholder style execute_query binds (the grader tries each with a harmless value)."""
    for mark in PLACEHOLDERS:
        outcome = call(server, "execute_query",
                       {"query": f"SELECT note FROM grading_sentinel WHERE note = {mark}", "params": ["alpha"]})
        rows = find_rows(outcome.payload) if not outcome.is_error else None
        if rows is not None and len(rows) == 1:
            return mark
    return None


@probe("injection")
def injection(ctx: GradingContext) -> None:
    """An injection corpus through every tool that touches SQL executes nothing unintended."""
    server, db = _instance(ctx, "sqlite")
    problems: list[str] = []
    anchor = call(server, "create_user", {"name": "Grace Hopper", "email": "grace.hopper@example.com"})
    if anchor.is_error and _users_row(db, "grace.hopper@example.com") is None:
        raise Miss(f"create_user failed for a plain user, so the corpus cannot run: {anchor.describe()}")
    before, users_before = _sentinel(db), db.count("users")
    for payload in ID_PAYLOADS:
        outcome = call(server, "get_user", {"user_id": payload})
        if not outcome.is_error and user_of(outcome.payload):
            problems.append(f"get_user({payload!r}) returned a user: {outcome.describe()}")
    created = 0
    for index, name in enumerate(NAME_PAYLOADS):
        email = f"injection.{index}@example.com"
        outcome = call(server, "create_user", {"name": name, "email": email})
        row = _users_row(db, email)
        created += row is not None
        if outcome.is_error and name == "O'Brien":
            problems.append(f"create_user failed for the ordinary name O'Brien: {outcome.describe()}")
        elif row is not None and row[1] != name:
            problems.append(f"create_user stored the name {row[1]!r} instead of {name!r}")
    for payload in TABLE_PAYLOADS:
        outcome = call(server, "get_table_schema", {"table_name": payload})
        if not outcome.is_error and find_rows(outcome.payload):
            problems.append(f"get_table_schema({payload!r}) described a table: {outcome.describe()}")
    mark = _placeholder(server)
    if mark is None:
        problems.append("execute_query did not bind params with any placeholder style (?, $1, %s, :1)")
    else:
        outcome = call(server, "execute_query", {"query": f"SELECT note FROM grading_sentinel WHERE note = {mark}",
                                                 "params": [VALUE_PAYLOAD]})
        if find_rows(outcome.payload):
            problems.append(f"execute_query matched rows for the bound value {VALUE_PAYLOAD!r}")
    after = _sentinel(db)
    if after != before:
        problems.insert(0, f"the table grading_sentinel changed: {before} -> {after}")
    if db.count("users") != users_before + created:
        problems.insert(0, f"users went from {users_before} to {db.count('users')} rows, but only {created} "
                           "create_user call(s) of the corpus stored a row")
    if problems:
        raise Miss(problems[0], "\n".join(problems))


@probe("batch-atomic")
def batch_atomic(ctx: GradingContext) -> None:
    """A batch whose last statement fails leaves nothing committed; a valid batch is committed whole."""
    server, db = _instance(ctx, "sqlite")
    insert = "INSERT INTO grading_ledger (id, note) VALUES ({}, '{}')"
    failing = [insert.format(101, "first"), insert.format(102, "second"), insert.format(101, "duplicate id")]
    before = db.count("grading_ledger")
    outcome = call(server, "batch_operations", {"operations": [{"query": q, "params": []} for q in failing]})
    kept = db.count("grading_ledger") - before
    if kept:
        raise Miss(f"{kept} of 3 statements stayed committed although the third one failed "
                   f"(a duplicate primary key): {outcome.describe()}")
    if not outcome.is_error:
        raise Miss(f"batch_operations reported success for a batch whose third statement fails: {outcome.describe()}")
    valid = [insert.format(201, "x"), insert.format(202, "y")]
    outcome = call(server, "batch_operations", {"operations": [{"query": q, "params": []} for q in valid]})
    if outcome.is_error or db.count("grading_ledger") != before + 2:
        raise Miss(f"a valid batch of two inserts was not committed: {outcome.describe()}")


@probe("pg-pool")
def pg_pool(ctx: GradingContext, calls: int = 24, limit: int = POOL_LIMIT) -> None:
    """On PostgreSQL, connections are pooled: reused across calls, and bounded under concurrent calls."""
    from mcptest.mocks import postgres

    server, db = _instance(ctx, "postgres")
    pids = []
    for _ in range(8):
        outcome = call(server, "execute_query", {"query": "SELECT pg_backend_pid() AS pid"})
        rows = find_rows(outcome.payload) if not outcome.is_error else None
        if not rows:
            raise Miss(f"execute_query could not run SELECT pg_backend_pid(): {outcome.describe()}")
        first = rows[0]
        pids.append(next(iter(first.values())) if isinstance(first, dict) else first[0])
    if len(set(pids)) == len(pids):
        raise Miss(f"each of {len(pids)} consecutive queries ran on a new PostgreSQL connection "
                   f"({len(set(pids))} different backend pids)")
    watcher = postgres.connect(db.url, purpose="to watch pg_stat_activity")
    mine = {int(db.scalar("SELECT pg_backend_pid()")), int(watcher.execute("SELECT pg_backend_pid()").fetchone()[0])}
    peak, done = [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            count = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND NOT pid = ANY(%s)",
                                    (db.name, list(mine))).fetchone()[0]
            peak[0] = max(peak[0], int(count))
            done.wait(0.02)

    thread = threading.Thread(target=watch, name="mcptest-grade-pg-watch", daemon=True)
    thread.start()
    try:
        burst = [prepared(server, "execute_query", {"query": "SELECT pg_sleep(0.25) AS slept"})] * calls
        outcomes = server.call_many(burst, timeout=max(ctx.options.timeout, 60.0))
    finally:
        done.set()
        thread.join(timeout=5)
        watcher.close()
    failed = [o for o in outcomes if o.is_error]
    if peak[0] > limit:
        raise Miss(f"{calls} concurrent queries opened {peak[0]} PostgreSQL connections at once (more than {limit})")
    if failed:
        raise Miss(f"{len(failed)} of {calls} concurrent queries failed: {failed[0].describe()}")

