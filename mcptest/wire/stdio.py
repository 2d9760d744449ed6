"""Raw JSON-RPC over a server's stdin/stdout (newline-delimited UTF-8 JSON)."""

from __future__ import annotations

import json
import time
from typing import Any

from mcptest.launch.process import ServerExited, ServerProcess
from mcptest.wire.base import Wire, WireError, dumps


_NOTHING = object()


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOTHING

_MAX_PENDING = 2000


class ServerGone(WireError):
    """The server process ended; the message has its exit code and stderr tail."""


class StdioWire(Wire):
    """Talk to a stdio server process line by line.

    Lines on stdout that are not JSON are kept in ``garbage`` (a STDIO-01 finding) and skipped, so
    one stray ``print()`` does not derail every later check.
    """

    transport = "stdio"

    def __init__(self, process: ServerProcess, timeout: float, *, owns_process: bool = True) -> None:
        super().__init__(timeout)
        self.process = process
        self.owns_process = owns_process
        self.garbage: list[str] = []
        self.multiline: list[str] = []
        self.raw_lines: list[str] = []
        self._pending: list[str] = []

    def send(self, message: Any) -> None:
        if isinstance(message, bytes):
            data = message
        elif isinstance(message, str):
            data = message.encode("utf-8")
        else:
            data = (dumps(message) + "\n").encode("utf-8")
        self.transcript.add(">", data.decode("utf-8", "replace"))
        try:
            self.process.write(data)
        except ServerExited as exc:
            raise ServerGone(str(exc)) from None

    def recv(self, timeout: float | None = None) -> Any:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.process.read_line(left)
            except ServerExited as exc:
                raise ServerGone(str(exc)) from None
            if line is None:
                return None
            text = line.decode("utf-8", "replace")
            self.raw_lines.append(text)
            self.transcript.add("<", text)
            message = self._parse(text.rstrip("\r\n"))
            if message is not _NOTHING:
                return message
        return None

    def _parse(self, text: str) -> Any:
        """Parse one stdout line. Lines that are not a JSON object/array are held back: if the next
        lines complete them into one JSON value, that was a message spread over several lines
        (``multiline``, STDIO-02); otherwise they were stray output (``garbage``, STDIO-01)."""
        if self._pending:
            joined = "\n".join([*self._pending, text])
            message = _loads(joined)
            if isinstance(message, (dict, list)):
                self._pending.clear()
                self.multiline.append(joined)
                return message
        message = _loads(text)
        if isinstance(message, (dict, list)):
            self.garbage.extend(self._pending)
            self._pending.clear()
            return message
        self._pending.append(text)
        if len(self._pending) > _MAX_PENDING:
            self.garbage.extend(self._pending)
            self._pending.clear()
        return _NOTHING

    def flush(self) -> None:
        """Count lines still held back as stray output (call when the session is over)."""
        self.garbage.extend(self._pending)
        self._pending.clear()

    def close(self) -> None:
        if self.owns_process:
            self.process.stop()

    def describe(self) -> str:
        code = self.process.returncode
        state = f"server exited with code {code}" if code is not None else "server still running"
        return f"{state}{self.process.format_stderr()}"
