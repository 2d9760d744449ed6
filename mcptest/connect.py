"""Open raw wires to a target: start processes, launch HTTP servers, restart what crashed."""

from __future__ import annotations

import os
import shlex
from urllib.parse import urlsplit

from mcptest.launch.process import LaunchError, ServerProcess
from mcptest.launch.wait import free_port, port_open, wait_until
from mcptest.settings import Settings
from mcptest.target import Target, parse_header, parse_target
from mcptest.wire import HttpWire, StdioWire, Wire


def target_from_settings(settings: Settings, env: dict[str, str] | None = None) -> Target:
    """Build the Target described by ``settings`` (``server``, ``launch``, ``header``)."""
    if not settings.server:
        raise LaunchError("no MCP server given: pass --mcp-server TARGET (or set mcp_server / MCPTEST_SERVER)")
    headers = tuple(parse_header(h) for h in settings.header)
    return parse_target(settings.server, launch=settings.launch, headers=headers, env=tuple((env or {}).items()))


class ServerHandle:
    """Everything needed to talk to one target, any number of times.

    For a stdio target each wire is a fresh process (so lifecycle checks start from nothing); for
    an HTTP target each wire is a fresh client, and a ``--mcp-launch`` server is started once,
    restarted if it dies, and stopped at ``close``.
    """

    def __init__(self, target: Target, settings: Settings, *, cwd: str | None = None) -> None:
        self.target = target
        self.settings = settings
        self.cwd = cwd
        self.url = target.url
        self.http_server: ServerProcess | None = None
        self.container: object | None = None
        self.restarts = 0
        self._wires: list[Wire] = []

    @property
    def timeout(self) -> float:
        """Seconds to wait for any one answer."""
        return self.settings.timeout

    def start(self) -> None:
        """Make the target reachable: launch an HTTP server, or check that the URL answers.

        Raises:
            LaunchError: one line saying why the server cannot be reached.
        """
        if self.target.kind == "docker" and self.settings.docker_port:
            from mcptest.launch.docker import run_http_container

            self.container = run_http_container(self.target.image, self.settings.docker_port, dict(self.target.env), timeout=max(self.timeout, 30.0))
            self.url = self.container.url  # type: ignore[attr-defined]
        elif self.target.kind == "http":
            if self.target.launch:
                self._launch_http()
            else:
                self._check_reachable()

    def _spawn(self) -> ServerProcess:
        return ServerProcess(self._argv(), env=dict(self.target.env), cwd=self.cwd)

    def _argv(self) -> tuple[str, ...]:
        if self.target.kind == "docker":
            from mcptest.launch.docker import docker_argv

            return docker_argv(self.target.image, dict(self.target.env))
        return self.target.argv

    def _launch_http(self) -> None:
        port = free_port()
        command = tuple(arg.replace("{port}", str(port)) for arg in self.target.launch)
        self.url = self.target.url.replace("{port}", str(port))
        self.http_server = ServerProcess(command, env=dict(self.target.env), cwd=self.cwd, read_stdout=False)
        parts = urlsplit(self.url)
        host, url_port = parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)
        server = self.http_server
        why = wait_until(
            lambda: port_open(host, url_port),
            self.timeout,
            abort=lambda: server.describe_exit() if not server.alive else None,
        )
        if why:
            server.stop(grace=0.5)
            raise LaunchError(
                f"HTTP server `{shlex.join(command)}` did not listen on {host}:{url_port}: {why}"
                + (server.format_stderr() if "exited" not in why else "")
            )

    def _check_reachable(self) -> None:
        parts = urlsplit(self.url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        if not port_open(host, port):
            raise LaunchError(
                f"cannot connect to {self.url}: connection refused on {host}:{port}; start the server first "
                "or let mcptest start it with --mcp-launch CMD"
            )

    @property
    def speaks_http(self) -> bool:
        """True when wires to this target are HTTP (a URL, or a container with a published port)."""
        return self.target.kind == "http" or self.container is not None

    def open(self) -> Wire:
        """A new, uninitialized raw wire to the server (a new process for stdio targets)."""
        if self.container is not None:
            wire: Wire = HttpWire(self.url, self.timeout, headers=dict(self.target.headers))
        elif self.target.kind in ("stdio", "docker"):
            wire = StdioWire(self._spawn(), self.timeout)
        elif self.target.kind == "http":
            if self.http_server is not None and not self.http_server.alive:
                self.restarts += 1
                self.http_server.stop(grace=0.5)
                self._launch_http()
            wire = HttpWire(self.url, self.timeout, headers=dict(self.target.headers))
        else:
            raise LaunchError(f"raw wires need a process or URL target, not {self.target.raw!r}")
        self._wires.append(wire)
        return wire

    def session_target(self) -> Target:
        """A stdio or HTTP Target the SDK client can reach this server through (URLs and containers resolved)."""
        import dataclasses

        if self.speaks_http:
            return dataclasses.replace(self.target, kind="http", url=self.url, launch=(), launch_text="")
        if self.target.kind == "docker":
            return dataclasses.replace(self.target, kind="stdio", argv=self._argv())
        return self.target

    def stderr_tail(self, lines: int = 20) -> list[str]:
        """The last stderr lines of the processes this handle started (the HTTP server, stdio wires)."""
        processes = [self.http_server] if self.http_server is not None else []
        processes += [w.process for w in self._wires if isinstance(w, StdioWire)]
        tail: list[str] = []
        for process in processes:
            tail += process.stderr_tail(lines)
        return tail[-lines:]

    def close(self) -> None:
        """Close every wire and stop every process this handle started."""
        for wire in self._wires:
            wire.close()
        self._wires.clear()
        if self.http_server is not None:
            self.http_server.stop()
        if self.container is not None:
            self.container.stop()  # type: ignore[attr-defined]
            self.container = None

    def reproduce_command(self) -> str:
        """The ``--mcp-server`` arguments that reach this target, for reproducer lines."""
        parts = [f"--mcp-server {shlex.quote(self.target.raw)}"]
        if self.target.launch:
            parts.append(f"--mcp-launch {shlex.quote(self.target.launch_text)}")
        return " ".join(parts)


def handle_for(settings: Settings, *, cwd: str | None = None) -> ServerHandle:
    """A started ServerHandle for the settings' target."""
    handle = ServerHandle(target_from_settings(settings), settings, cwd=cwd or os.getcwd())
    handle.start()
    return handle
