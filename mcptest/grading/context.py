"""Everything one grading run shares across items: fake upstreams, databases, started servers; all torn down."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import os
import shlex
import shutil
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcptest.grading import plan
from mcptest.grading.outcome import Skip
from mcptest.grading.rubric import Rubric
from mcptest.grading.submission import RunningServer
from mcptest.mocks.db import ThrowawayDatabase, throwaway_database
from mcptest.mocks.errors import ServiceUnavailableError
from mcptest.mocks.stub_server import StubServer
from mcptest.target import Target

SETUP_SQL = (
    "CREATE TABLE grading_sentinel (id INTEGER PRIMARY KEY, note TEXT NOT NULL)",
    "CREATE TABLE grading_ledger (id INTEGER PRIMARY KEY, note TEXT NOT NULL)",
)
NOT_STARTABLE = ("the grader has to start your server to configure it: give the command that starts it "
                 "(or the URL together with --launch CMD)")


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: per-call timeout, where PostgreSQL and the project are, the Docker base image.

    Attributes:
        timeout: seconds to wait for one answer from the server (bounds hangs only).
        db_url: a PostgreSQL server URL on which throwaway databases are created (``MCPTEST_DB_URL``);
            ``None`` skips the PostgreSQL items.
        project: the Exercise 3 folder (and the working directory of a started server).
        launch: for an ``http://...{port}...`` target, the command that starts it.
        base_image: the local Docker base image the grading base is built from.
    """

    timeout: float = 20.0
    db_url: str | None = field(default_factory=lambda: os.environ.get("MCPTEST_DB_URL") or None)
    project: Path | None = None
    launch: str | None = None
    base_image: str = field(default_factory=lambda: os.environ.get("MCPTEST_DOCKER_BASE_IMAGE",
                                                                    "mcptest-base:bookworm"))


class GradingContext:
    """Shared, lazily created resources of one grading run. Probes ask for what they need."""

    def __init__(self, rubric: Rubric, target: Target | None, options: GradeOptions) -> None:
        self.rubric = rubric
        self.target = target
        self.options = options
        self.workdir = Path(tempfile.mkdtemp(prefix="mcptest-grade-"))
        self._stack = contextlib.ExitStack()
        self._stubs: dict[str, StubServer] = {}
        self._closed_port: socket.socket | None = None
        self._dbs: dict[str, ThrowawayDatabase] = {}
        self._servers: dict[str, RunningServer] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="mcptest-grade")
        self._background: dict[str, concurrent.futures.Future[Any]] = {}
        self.scratch: dict[str, Any] = {}  # results one probe computes and another reuses (e.g. a built image)

    # -- the submission ---------------------------------------------------------------------------------
    @property
    def startable(self) -> bool:
        """Whether the grader starts the server itself (and so can configure it)."""
        return self.target is not None and (self.target.kind == "stdio" or bool(self.target.launch))

    @property
    def cwd(self) -> str:
        """Where a started server runs."""
        return str(self.options.project or Path.cwd())

    def server(self, key: str = "main") -> RunningServer:
        """A started instance, shared by every probe that asks for the same ``key``; restarted if it died.

        ``main``: SQLite, every fake service, ``MCP_LOG_LEVEL=DEBUG``. ``postgres``: the same on PostgreSQL.
        ``quiet``: SQLite at ``MCP_LOG_LEVEL=ERROR``, no services.
        """
        running = self._servers.get(key)
        if running is not None and running.alive and running.session is not None:
            return running
        if running is not None:
            running.close()
        self._servers[key] = self._start(key)
        return self._servers[key]

    def fresh(self, key: str) -> RunningServer:
        """A new instance for ``key`` (the old one, if any, is stopped first)."""
        old = self._servers.pop(key, None)
        if old is not None:
            old.close()
        return self.server(key)

    def _start(self, key: str) -> RunningServer:
        if self.target is None:
            raise Skip("no server was given to grade")
        if not self.startable:
            if key != "main":
                raise Skip(NOT_STARTABLE)
            return RunningServer(self.target, {}, cwd=None, timeout=self.options.timeout, label=key).start()
        env = self.env_for(key)
        target = self.target
        if target.kind == "http":
            auth = ("Authorization", f"Bearer {plan.grader_jwt()}")
            target = dataclasses.replace(target, headers=(*target.headers, auth))
        return RunningServer(target, env, cwd=self.cwd, timeout=self.options.timeout, label=key).start()

    def env_for(self, key: str) -> dict[str, str]:
        """The environment of instance ``key``."""
        if key == "main":
            return {**plan.base_env(self.sqlite().url), **self.services_env()}
        if key == "postgres":
            return {**plan.base_env(self.postgres().url), **self.services_env()}
        if key == "quiet":
            return plan.base_env(self._sqlite_file("quiet"), log_level="ERROR")
        raise KeyError(f"unknown server instance {key!r}")

    def require_configurable(self) -> None:
        """Skip the calling probe when the grader cannot give the server its environment."""
        if not self.startable:
            raise Skip(NOT_STARTABLE)

    # -- fake upstream services -------------------------------------------------------------------------
    def stub(self, key: str) -> StubServer:
        """The stub server ``key`` (``main``, ``second``, ``doomed``, ``slow``), all started on first use."""
        if not self._stubs:
            for name in plan.STUB_KEYS[:-1]:
                self._stubs[name] = self._stack.enter_context(StubServer())
            self._closed_port = socket.socket()
            self._closed_port.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
            self._stack.callback(self._closed_port.close)
            for name in self._stubs:
                self._health_routes(name)
        return self._stubs[key]

    def _health_routes(self, key: str) -> None:
        for spec in plan.SERVICES.values():
            if spec.healthy and key in spec.stubs:
                self._stubs[key].route("GET", f"{spec.prefix}/health", json={"status": "ok"})

    def restart_stub(self, key: str) -> StubServer:
        """Stop stub ``key`` (dropping the requests it holds) and serve again on the same port, routes reset."""
        old = self.stub(key)
        port = old.port
        old.stop()
        self._stubs[key] = self._stack.enter_context(StubServer(port=port))
        self._health_routes(key)
        return self._stubs[key]

    def stub_urls(self) -> dict[str, str]:
        """Stub key -> base URL."""
        self.stub("main")
        assert self._closed_port is not None
        urls = {key: stub.url for key, stub in self._stubs.items()}
        urls["closed"] = f"http://127.0.0.1:{self._closed_port.getsockname()[1]}"
        return urls

    def services_env(self) -> dict[str, str]:
        """``SERVICE_URLS_*`` and friends for every fake service."""
        return plan.services_env(self.stub_urls())

    def requests_to(self, service: str, path: str = "", method: str | None = None) -> list[Any]:
        """Requests every instance of ``service`` received (optionally one path and method), oldest first."""
        spec = plan.SERVICES[service]
        prefix = spec.prefix + path
        found = []
        for key in spec.stubs:
            if key == "closed":
                continue
            found += [r for r in self.stub(key).requests
                      if (r.path == prefix if path else r.path.startswith(spec.prefix + "/"))
                      and (method is None or r.method == method) and not r.path.endswith("/health")]
        return found

    # -- databases --------------------------------------------------------------------------------------
    def sqlite(self) -> ThrowawayDatabase:
        """The main SQLite database, with the grader's two tables."""
        if "sqlite" not in self._dbs:
            directory = self.workdir / "main"
            directory.mkdir()
            db = self._stack.enter_context(throwaway_database(None, directory=directory))
            self._dbs["sqlite"] = _prepared(db)
        return self._dbs["sqlite"]

    def postgres(self) -> ThrowawayDatabase:
        """A throwaway PostgreSQL database with the grader's tables; Skip when no PostgreSQL is available."""
        if "postgres" not in self._dbs:
            if not self.options.db_url:
                raise Skip("no PostgreSQL server is configured; set MCPTEST_DB_URL=postgresql://user:pw@host/db")
            try:
                db = self._stack.enter_context(throwaway_database(self.options.db_url, label="grading"))
            except ServiceUnavailableError as exc:
                raise Skip(f"PostgreSQL is not reachable: {str(exc).splitlines()[0]}") from None
            self._dbs["postgres"] = _prepared(db)
        return self._dbs["postgres"]

    def _sqlite_file(self, name: str) -> str:
        directory = self.workdir / name
        directory.mkdir(exist_ok=True)
        return f"sqlite:///{directory.resolve() / 'grading.sqlite3'}"

    # -- work in the background -------------------------------------------------------------------------
    def background(self, key: str, work: Callable[[], Any]) -> concurrent.futures.Future[Any]:
        """Start ``work`` once in the background (e.g. the conformance suite) and return its future."""
        if key not in self._background:
            self._background[key] = self._pool.submit(work)
        return self._background[key]

    def conformance_command(self) -> tuple[str, str | None]:
        """``(server, launch)`` for mcptest's suite: the submission with its own SQLite file and no services."""
        assert self.target is not None
        if not self.startable:
            return self.target.raw, None
        env = plan.base_env(self._sqlite_file("conformance"))
        prefix = ["env", *(f"{name}={value}" for name, value in env.items())]
        if self.target.kind == "stdio":
            return shlex.join([*prefix, *self.target.argv]), None
        return self.target.raw, shlex.join([*prefix, *self.target.launch])

    def on_close(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` when the run closes (e.g. stop a container a probe started)."""
        self._stack.callback(callback)

    def close(self) -> None:
        """Stop every server, stub and background job; drop the databases and the scratch folder."""
        for running in self._servers.values():
            running.close()
        self._servers.clear()
        for future in self._background.values():
            future.cancel()
        self._pool.shutdown(wait=True)
        self._stack.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _prepared(db: ThrowawayDatabase) -> ThrowawayDatabase:
    """Create the grader's tables: a sentinel that must survive the injection corpus, a ledger for batches."""
    for statement in SETUP_SQL:
        db.execute(statement)
    mark = db.placeholder
    for index, note in enumerate(plan.SENTINEL_NOTES, start=1):
        db.execute(f"INSERT INTO grading_sentinel (id, note) VALUES ({mark}, {mark})", (index, note))
    return db
