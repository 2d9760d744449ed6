"""A learner's server started by the grader with its own environment: session, stdout noise, stderr, tool calls."""

from __future__ import annotations

import concurrent.futures
import json
import shlex
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import anyio

from mcptest.launch.process import LaunchError, ServerExited, ServerProcess
from mcptest.launch.wait import free_port, port_open, wait_until
from mcptest.session import Session, SessionError
from mcptest.target import Target

START_TIMEOUT = 20.0


class StartError(RuntimeError):
    """The server could not be started or did not answer ``initialize``; the message says why, in one place."""


class ServerFailure(RuntimeError):
    """The server went silent or exited while the grader was talking to it (the submission's failure)."""


@dataclass(frozen=True)
class ToolOutcome:
    """One tool call as the grader saw it.

    Attributes:
        name: the tool.
        arguments: what was sent.
        is_error: a tool error (``isError: true``) or a JSON-RPC error.
        text: the text content (or the JSON-RPC error message).
        payload: structured content, else the text parsed as JSON, else the text.
        rpc_error: True when the server answered with a JSON-RPC error instead of a result.
    """

    name: str
    arguments: Mapping[str, Any]
    is_error: bool
    text: str
    payload: Any
    rpc_error: bool = False

    def describe(self) -> str:
        """``name(args) -> what came back``, short, for evidence lines."""
        args = json.dumps(dict(self.arguments), ensure_ascii=False, default=str)
        answer = ("error: " if self.is_error else "") + (self.text or json.dumps(self.payload, default=str))
        return f"{self.name}({_short(args, 120)}) -> {_short(answer, 200)}"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _payload(result: Any) -> tuple[str, Any]:
    texts = [getattr(block, "text", "") for block in result.content or [] if getattr(block, "type", "") == "text"]
    text = "\n".join(t for t in texts if t)
    if isinstance(result.structured_content, dict):
        data = result.structured_content
        return text, data["result"] if list(data) == ["result"] else data
    try:
        return text, json.loads(text)
    except ValueError:
        return text, text


class RunningServer:
    """One started instance of the submission, owned by the grader (call :meth:`close`)."""

    def __init__(self, target: Target, env: Mapping[str, str], *, cwd: str | None, timeout: float,
                 label: str) -> None:
        self.target = target
        self.env = dict(env)
        self.cwd = cwd
        self.timeout = timeout
        self.label = label
        self.noise: list[str] = []
        self.process: ServerProcess | None = None
        self.session: Session | None = None
        self._tools: dict[str, Any] | None = None

    # -- start and stop ---------------------------------------------------------------------------------
    def start(self) -> RunningServer:
        """Start the process (if the grader owns it) and complete the MCP handshake.

        Raises:
            StartError: one message saying what went wrong, with the server's last stderr lines.
        """
        try:
            if self.target.kind == "stdio":
                self._start_stdio()
            elif self.target.kind == "http":
                self._start_http()
            else:
                raise StartError(f"grading needs a command or an http(s) URL, not {self.target.raw!r}")
        except (LaunchError, SessionError) as exc:
            self.close()
            raise StartError(self._why_not_started(exc)) from None
        except BaseException:
            self.close()
            raise
        assert self.session is not None
        self.session.timeout = self.timeout
        return self

    def _start_stdio(self) -> None:
        from mcptest.grading.transport import process_transport

        self.process = ServerProcess(self.target.argv, env=self.env, cwd=self.cwd)
        self.session = Session(process_transport(self.process, self.noise), timeout=START_TIMEOUT)

    def _start_http(self) -> None:
        url = self.target.url
        if self.target.launch:
            port = free_port()
            argv = tuple(arg.replace("{port}", str(port)) for arg in self.target.launch)
            url = url.replace("{port}", str(port))
            self.process = process = ServerProcess(argv, env=self.env, cwd=self.cwd, stdio=False)
            threading.Thread(target=self._drain_stdout, daemon=True, name="mcptest-grade-stdout").start()
            why = wait_until(lambda: port_open("127.0.0.1", port), START_TIMEOUT, interval=0.1,
                             abort=lambda: None if process.alive else process.describe_exit())
            if why:
                raise LaunchError(f"`{shlex.join(argv)}` did not listen on port {port}: {why}")
        self.session = Session(replace(self.target, url=url, launch=(), launch_text=""), timeout=START_TIMEOUT)

    def _drain_stdout(self) -> None:
        assert self.process is not None
        while True:
            try:
                line = self.process.read_line(1.0)
            except ServerExited:
                return
            if line is not None and line.strip() and len(self.noise) < 200:
                self.noise.append(line.decode("utf-8", "replace").strip())

    def _why_not_started(self, exc: Exception) -> str:
        command = self.target.launch_text or self.target.raw
        if self.process is not None and not self.process.alive:
            return self.process.describe_exit()
        tail = self.process.format_stderr() if self.process is not None else ""
        reason = str(exc).split("; server stderr:")[0]
        return f"server `{command}` did not complete the MCP handshake within {START_TIMEOUT:g} s ({reason}){tail}"

    @property
    def alive(self) -> bool:
        """Whether the grader's process still runs (always True for a server the grader did not start)."""
        return self.process is None or self.process.alive

    def stderr_lines(self, lines: int = 200) -> list[str]:
        """What the server wrote to stderr (the last ``lines``)."""
        return self.process.stderr_tail(lines) if self.process is not None else []

    def close(self) -> None:
        """Close the session and stop the process with its children."""
        if self.session is not None:
            try:
                self.session.close()
            except Exception:  # noqa: BLE001 - a server that misbehaves on shutdown is stopped below anyway
                pass
            self.session = None
        if self.process is not None:
            self.process.stop(grace=1.0)

    # -- talking to it ----------------------------------------------------------------------------------
    @property
    def tools(self) -> dict[str, Any]:
        """Tool name -> ``mcp.types.Tool``, every page."""
        if self._tools is None:
            found: dict[str, Any] = {}
            cursor = None
            for _ in range(100):
                page = self._call(lambda c=cursor: self._client.list_tools(cursor=c), "tools/list")
                found.update({tool.name: tool for tool in page.tools})
                cursor = page.next_cursor
                if not cursor:
                    break
            self._tools = found
        return self._tools

    @property
    def _client(self) -> Any:
        if self.session is None:
            raise ServerFailure("the server is not running")
        return self.session.client

    def server_name(self) -> str | None:
        """``serverInfo.name`` from the handshake."""
        info = getattr(self._client, "server_info", None)
        return getattr(info, "name", None)

    def ping(self, timeout: float | None = None) -> None:
        """Send ``ping``; raises ServerFailure when no answer comes."""
        import warnings

        from mcp.shared.exceptions import MCPDeprecationWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)  # ping is legacy-era only; we connect legacy
            self._call(self._client.send_ping, "ping", timeout)

    def call(self, name: str, arguments: Mapping[str, Any], timeout: float | None = None) -> ToolOutcome:
        """Call a tool; JSON-RPC errors become an error outcome, silence and crashes a ServerFailure."""
        return self._call(lambda: self._tool(name, arguments), f"tools/call {name}", timeout)

    def call_many(self, calls: Sequence[tuple[str, Mapping[str, Any]]],
                  timeout: float | None = None) -> list[ToolOutcome]:
        """Send the calls at once (concurrent requests on one session); outcomes in call order."""

        async def all_of() -> list[ToolOutcome]:
            results: list[ToolOutcome | None] = [None] * len(calls)

            async def one(index: int, name: str, arguments: Mapping[str, Any]) -> None:
                results[index] = await self._tool(name, arguments)

            async with anyio.create_task_group() as group:
                for index, (name, arguments) in enumerate(calls):
                    group.start_soon(one, index, name, arguments)
            return [r for r in results if r is not None]

        return self._call(all_of, f"{len(calls)} concurrent tool calls", timeout)

    def start_call(self, name: str, arguments: Mapping[str, Any]) -> concurrent.futures.Future[ToolOutcome]:
        """Send a tool call and return at once; the future resolves with its outcome."""
        assert self.session is not None
        return self.session.portal.start_task_soon(self._tool, name, arguments)

    async def _tool(self, name: str, arguments: Mapping[str, Any]) -> ToolOutcome:
        from mcp.shared.exceptions import MCPError

        try:
            result = await self._client.call_tool(name, dict(arguments))
        except MCPError as exc:
            return ToolOutcome(name, arguments, True, str(exc), None, rpc_error=True)
        text, payload = _payload(result)
        return ToolOutcome(name, arguments, bool(result.is_error), text, payload)

    def _call(self, func: Any, what: str, timeout: float | None = None) -> Any:
        if self.session is None:
            raise ServerFailure("the server is not running")
        limit = timeout or self.timeout

        async def bounded() -> Any:
            with anyio.fail_after(limit):
                return await func()

        try:
            return self.session.portal.call(bounded)
        except TimeoutError:
            raise ServerFailure(f"the server did not answer {what} within {limit:g} s{self._tail()}") from None
        except (TypeError, AttributeError, NameError, AssertionError):
            raise  # mcptest's own bug: it must surface as a grading error, not as the server's failure
        except Exception as exc:
            if not self.alive:
                assert self.process is not None
                raise ServerFailure(f"the server exited during {what}: {self.process.describe_exit()}") from None
            raise ServerFailure(f"{what} failed: {type(exc).__name__}: {exc}{self._tail()}") from None

    def _tail(self) -> str:
        return self.process.format_stderr(8) if self.process is not None else ""
