"""A server subprocess in its own process group, with bounded reads and a clean, complete stop."""

from __future__ import annotations

import collections
import os
import queue
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping, Sequence

import psutil

_LIVE: weakref.WeakSet[ServerProcess] = weakref.WeakSet()
_STDERR_LINES = 200


class LaunchError(RuntimeError):
    """The server could not be started; the message is one line a user can act on."""


class ServerExited(RuntimeError):
    """The server process ended while we were talking to it."""


class ServerProcess:
    """A started server: stdin/stdout pipes, a bounded stderr tail, a stop that leaves nothing behind.

    Stdout is read by a thread into a queue of lines, stderr by another into a ring buffer, so a
    server that floods either stream never blocks on a full pipe.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        read_stdout: bool = True,
        stdio: bool = True,
    ) -> None:
        self.argv = tuple(argv)
        self.stdio = stdio
        """Whether stdin is the server's MCP channel: then ``stop`` begins by closing it (the spec's stdio
        shutdown); an HTTP server's is not, and ``stop`` begins with SIGTERM, as a process manager would."""
        self.command = " ".join(self.argv)
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._stderr: collections.deque[tuple[str, bool]] = collections.deque(maxlen=_STDERR_LINES)  # (text, UTF-8)
        self.stderr_bytes = 0
        self.started_at = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE if read_stdout else subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=full_env,
                cwd=cwd,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise LaunchError(f"could not start server `{self.command}`: command {self.argv[0]!r} not found") from None
        except PermissionError:
            raise LaunchError(f"could not start server `{self.command}`: {self.argv[0]!r} is not executable") from None
        except OSError as exc:
            raise LaunchError(f"could not start server `{self.command}`: {exc.strerror or exc}") from None
        _LIVE.add(self)
        self._threads = []
        if read_stdout:
            self._spawn(self._pump_stdout)
        self._stderr_reader = self._spawn(self._pump_stderr)

    def _spawn(self, target: object) -> threading.Thread:
        thread = threading.Thread(target=target, daemon=True, name=f"mcptest-{self.proc.pid}")
        thread.start()
        self._threads.append(thread)
        return thread

    def _pump_stdout(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in iter(self.proc.stdout.readline, b""):
                self._lines.put(line)
        except (ValueError, OSError):
            pass  # the pipe was closed by stop(): that is the end of the stream
        self._lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.proc.stderr is not None
        try:
            for line in iter(self.proc.stderr.readline, b""):
                self.stderr_bytes += len(line)
                self._stderr.append(_decoded(line))
        except (ValueError, OSError):
            return  # closed by stop()

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit code, or None while running."""
        return self.proc.poll()

    def write(self, data: bytes) -> None:
        """Write bytes to the server's stdin.

        Raises:
            ServerExited: the process has ended (its stdin is closed).
        """
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            raise ServerExited(self.describe_exit()) from None

    def read_line(self, timeout: float) -> bytes | None:
        """Return the next stdout line, or None when none arrived within ``timeout`` seconds.

        Raises:
            ServerExited: stdout reached end of file (the process ended or closed it).
        """
        try:
            line = self._lines.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        if line is None:
            self._lines.put(None)  # keep reporting EOF to later readers
            raise ServerExited(self.describe_exit())
        return line

    def stderr_tail(self, lines: int = 15) -> list[str]:
        """The last ``lines`` lines the server wrote to stderr (bytes that are not UTF-8 shown as U+FFFD)."""
        return [text for text, _ in list(self._stderr)[-lines:]]

    def stderr_not_utf8(self, lines: int = 200) -> tuple[list[str], int]:
        """Of the last ``lines`` stderr lines, those whose bytes were not valid UTF-8 (shown with U+FFFD), and how
        many lines were looked at. Judged on the bytes: a server may well write U+FFFD itself, validly encoded."""
        tail = list(self._stderr)[-lines:]
        return [text for text, valid in tail if not valid], len(tail)

    def describe_exit(self) -> str:
        """One line: how the process ended (or that it closed stdout), with the stderr tail."""
        code = self._wait_briefly()
        elapsed = time.monotonic() - self.started_at
        if code is not None:  # what it wrote last (a traceback) may still be in the pipe: read to its end first
            self._stderr_reader.join(timeout=1.0)
        state = (
            f"exited with code {code} after {elapsed:.1f} s"
            if code is not None
            else f"closed its stdout after {elapsed:.1f} s"
        )
        return f"server `{self.command}` {state}{self.format_stderr()}"

    def format_stderr(self, lines: int = 15) -> str:
        """The stderr tail formatted for a failure message (empty when there was none)."""
        tail = self.stderr_tail(lines)
        if not tail:
            return "; it wrote nothing to stderr"
        return "; last stderr lines:\n    " + "\n    ".join(tail)

    def _wait_briefly(self) -> int | None:
        try:
            return self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None

    def close_stdin(self) -> None:
        """Close the server's stdin: the spec's first step of a stdio shutdown."""
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass  # already broken: the process is gone, which is what we want

    def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds for the process to exit; its code, or None if it still runs."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace: float = 2.0) -> int | None:
        """Stop the server and every process it started: close stdin and wait (a stdio server only), SIGTERM,
        SIGKILL, each step after ``grace`` seconds.

        Returns:
            The exit code (negative for a signal).
        """
        family = self._descendants()
        code = None
        if self.stdio:
            self.close_stdin()
            code = self.wait_exit(grace)
        if code is None:
            self._signal_group(signal.SIGTERM)
            code = self.wait_exit(grace)
        if code is None:
            self._signal_group(signal.SIGKILL)
            code = self.wait_exit(5.0)
        self.close_stdin()
        self._signal_group(signal.SIGKILL)  # children left in the group after the leader exited
        _kill_all(family + self._descendants())
        for thread in self._threads:
            thread.join(timeout=1.0)  # the pipes reach end of file once the whole family is gone
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        _LIVE.discard(self)
        return code

    def _signal_group(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return

    def _descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return []


def _kill_all(processes: list[psutil.Process]) -> None:
    for proc in processes:
        try:
            proc.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(processes, timeout=3)


def stop_all() -> None:
    """Stop every server process still running (used at the end of a pytest run and at exit)."""
    for proc in list(_LIVE):
        proc.stop(grace=0.5)


def _decoded(line: bytes) -> tuple[str, bool]:
    """One stderr line as text without its line end, and whether its bytes were valid UTF-8."""
    try:
        return line.decode("utf-8").rstrip("\r\n"), True
    except UnicodeDecodeError:
        return line.decode("utf-8", "replace").rstrip("\r\n"), False
