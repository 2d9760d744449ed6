"""Open raw wires to a target: the one place that dispatches on its kind, starts what must run, restarts what died."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import os
import shlex
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from mcptest.launch.process import LaunchError, ServerProcess
from mcptest.launch.wait import free_port, port_open, wait_until
from mcptest.settings import Settings
from mcptest.target import Target, parse_header, parse_target
from mcptest.wire import StdioWire, Wire
from mcptest.wire.base import Observer
from mcptest.wire.client import ClientBehaviour


def target_from_settings(settings: Settings, env: dict[str, str] | None = None) -> Target:
    """Build the Target described by ``settings`` (``server``, ``launch``, ``header``), parsed once."""
    if not settings.server:
        raise LaunchError("no MCP server given: pass --mcp-server TARGET (or set mcp_server / MCPTEST_SERVER)")
    headers = tuple(parse_header(h) for h in settings.header)
    return parse_target(settings.server, launch=settings.launch, headers=headers, env=tuple((env or {}).items()))


def _all_at_once(steps: list[Callable[[], object]]) -> None:
    """Run ``steps`` at once and wait for all of them (each is bounded: stopping a process ends in SIGKILL); the
    first error, if any, is raised then."""
    with ThreadPoolExecutor(max_workers=max(len(steps), 1), thread_name_prefix="mcptest-close") as pool:
        futures = [pool.submit(step) for step in steps]
    for future in futures:
        future.result()


class ServerHandle:
    """Everything needed to talk to one target, any number of times.

    For a process target (a command, ``py:module:attr``, a ``docker:`` image over stdio) each wire is a
    fresh process, so lifecycle checks start from nothing. For an HTTP target each wire is a fresh client;
    a ``--mcp-launch`` server or a ``docker:`` container with ``--mcp-docker-port`` is started once,
    restarted if it dies, and stopped at ``close``. ``observer`` sees every message of every wire.
    """

    def __init__(self, target: Target, settings: Settings, *, cwd: str | None = None,
                 observer: Observer | None = None) -> None:
        self.target = target
        self.settings = settings
        self.cwd = cwd
        self.observer = observer
        self.url = target.url
        self.http_server: ServerProcess | None = None
        self.container: Any = None
        self.restarts = 0
        self._wires: list[Wire] = []
        self._warm: list[ServerProcess] = []
        self._lock = threading.Lock()
        for module in self.modules():  # here, in the caller's thread, not in the threads that open wires
            importlib.import_module(module)

    def modules(self) -> list[str]:
        """The modules this target's transport imports (see ``mcptest.serial`` for why they are imported early)."""
        transport = {"http": ["mcptest.wire.http"], "sse": ["mcptest.wire.sse"]}.get(self.transport, [])
        return transport + (["mcptest.launch.docker"] if self.target.kind == "docker" else [])

    @property
    def timeout(self) -> float:
        """Seconds to wait for any one answer."""
        return self.settings.timeout

    @property
    def transport(self) -> str:
        """``stdio``, ``http`` or ``sse``: how wires to this target move messages."""
        if self.target.kind == "docker" and self.settings.docker_port:
            return "http"
        return "stdio" if self.target.speaks_stdio else self.target.kind

    @property
    def speaks_http(self) -> bool:
        """True when wires to this target are streamable HTTP."""
        return self.transport == "http"

    def start(self) -> None:
        """Make the target reachable: run a container, launch an HTTP server, or check that the URL answers.

        Raises:
            LaunchError: one line saying why the server cannot be reached.
        """
        if self.target.kind == "docker" and self.settings.docker_port:
            from mcptest.launch.docker import run_http_container

            self.container = run_http_container(self.target.image, self.settings.docker_port, dict(self.target.env),
                                                timeout=max(self.timeout, 30.0))
            self.url = self.container.url
        elif self.target.kind in ("http", "sse"):
            if self.target.launch:
                self._launch_http()
            else:
                self._check_reachable()

    def argv(self) -> tuple[str, ...]:
        """The command that starts one stdio server process of this target."""
        if self.target.kind == "docker":
            from mcptest.launch.docker import docker_argv

            return docker_argv(self.target.image, dict(self.target.env))
        return self.target.argv

    def _launch_http(self) -> None:
        port = free_port()
        command = tuple(arg.replace("{port}", str(port)) for arg in self.target.launch)
        self.url = self.target.url.replace("{port}", str(port))
        self.http_server = ServerProcess(command, env=dict(self.target.env), cwd=self.cwd, read_stdout=False,
                                         stdio=False)
        host, url_port = _host_port(self.url)
        server = self.http_server
        why = wait_until(lambda: port_open(host, url_port), self.timeout,
                         abort=lambda: server.describe_exit() if not server.alive else None)
        if why:
            server.stop(grace=0.5)
            raise LaunchError(f"HTTP server `{shlex.join(command)}` did not listen on {host}:{url_port}: {why}"
                              + (server.format_stderr() if "exited" not in why else ""))

    def _check_reachable(self) -> None:
        host, port = _host_port(self.url)
        if not port_open(host, port):
            raise LaunchError(f"cannot connect to {self.url}: connection refused on {host}:{port}; start the server "
                              "first or let mcptest start it with --mcp-launch CMD")

    def open(self, *, client: ClientBehaviour | None = None) -> Wire:
        """A new, uninitialized raw wire to the server (a new process for process targets)."""
        options: dict[str, Any] = {"client": client, "observer": self.observer,
                                   "progress_cap": self.settings.progress_cap}
        transport = self.transport
        if transport == "stdio":
            with self._lock:
                process = self._warm.pop(0) if self._warm else None
            wire: Wire = StdioWire(process or self._spawn(), self.timeout, **options)
        elif transport == "http":
            from mcptest.wire.http import HttpWire

            self._relaunch_if_dead()
            wire = HttpWire(self.url, self.timeout, headers=dict(self.target.headers), **options)
        else:
            from mcptest.wire.sse import SseWire

            self._relaunch_if_dead()
            wire = SseWire(self.url, self.timeout, headers=dict(self.target.headers), **options)
        with self._lock:
            self._wires.append(wire)
        return wire

    def prewarm(self, count: int) -> None:
        """Start ``count`` processes ahead of need (process targets only), so the next wires ``open`` gives do not
        wait for a server to start: nothing is written to a process before ``open`` hands it out, so it is as fresh
        as one started then. The count adds to the processes already waiting: each caller asks for its own."""
        if self.transport != "stdio" or self.target.kind == "docker":
            return  # HTTP needs no process per wire; a container started ahead would outlive a crashed run's cleanup
        for _ in range(count):
            process = self._spawn()
            with self._lock:
                self._warm.append(process)

    def _spawn(self) -> ServerProcess:
        return ServerProcess(self.argv(), env=dict(self.target.env), cwd=self.cwd)

    def _relaunch_if_dead(self) -> None:
        server = self.http_server
        if server is None:
            return
        host, port = _host_port(self.url)
        if server.alive and not port_open(host, port):
            # its port closed while the process still runs: it is on its way out (a crash the last check caused),
            # so wait for the exit (bounded) rather than hand out a wire to a server that is gone
            wait_until(lambda: not server.alive or port_open(host, port), self.timeout)
        with self._lock:
            if self.http_server is not None and not self.http_server.alive:
                self.restarts += 1
                self.http_server.stop(grace=0.5)
                self._launch_http()

    def session_target(self) -> Target:
        """A stdio or HTTP Target the SDK client can reach this server through (URLs and containers resolved)."""
        if self.transport == "http":
            return dataclasses.replace(self.target, kind="http", url=self.url, launch=(), launch_text="")
        if self.transport == "sse":
            return dataclasses.replace(self.target, kind="sse", url=self.url, launch=(), launch_text="")
        return dataclasses.replace(self.target, kind="stdio", argv=self.argv())

    def stderr_tail(self, lines: int = 20) -> list[str]:
        """The last stderr lines of the processes this handle started (the HTTP server, stdio wires)."""
        processes = [self.http_server] if self.http_server is not None else []
        with self._lock:
            processes += [w.process for w in self._wires if isinstance(w, StdioWire)]
        tail: list[str] = []
        for process in processes:
            tail += process.stderr_tail(lines)
        return tail[-lines:]

    def forget(self, wire: Wire) -> None:
        """Close ``wire`` and stop tracking it (its process, if any, is stopped)."""
        wire.close()
        with self._lock:
            if wire in self._wires:
                self._wires.remove(wire)

    def forget_all(self, wires: list[Wire | None]) -> None:
        """``forget`` each of ``wires`` (None is skipped) at once: servers that ignore the end of their input cost
        one grace period, not one each."""
        _all_at_once([functools.partial(self.forget, wire) for wire in wires if wire is not None])

    def close(self) -> None:
        """Close every wire and stop every process this handle started."""
        with self._lock:
            wires, warm = list(self._wires), list(self._warm)
            self._wires.clear()
            self._warm.clear()
        # at once, as forget_all (warm processes were never written to: nothing to wait for)
        _all_at_once([wire.close for wire in wires] + [functools.partial(p.stop, grace=0.2) for p in warm])
        if self.http_server is not None:
            self.http_server.stop()
        if self.container is not None:
            self.container.stop()
            self.container = None

    def reproduce_command(self) -> str:
        """The ``--mcp-server=...`` arguments that reach this target, for reproducer lines."""
        parts = [f"--mcp-server={shlex.quote(self.target.raw)}"]
        if self.target.launch:
            parts.append(f"--mcp-launch={shlex.quote(self.target.launch_text)}")
        if self.settings.docker_port:
            parts.append(f"--mcp-docker-port={self.settings.docker_port}")
        return " ".join(parts)


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def handle_for(settings: Settings, *, cwd: str | None = None, observer: Observer | None = None) -> ServerHandle:
    """A started ServerHandle for the settings' target."""
    handle = ServerHandle(target_from_settings(settings), settings, cwd=cwd or os.getcwd(), observer=observer)
    handle.start()
    return handle
