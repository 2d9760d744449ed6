"""Raw JSON-RPC over a server's stdin/stdout (newline-delimited UTF-8 JSON), read by one thread per process."""

from __future__ import annotations

import json
import threading
from typing import Any

from mcptest.launch.process import ServerExited, ServerProcess
from mcptest.wire.base import Wire, dumps
from mcptest.wire.base import ServerGone as ServerGone  # re-exported: checks import it from here

_NOTHING = object()
_MAX_PENDING = 2000
_LIMIT = 1000


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOTHING


class StdioWire(Wire):
    """Talk to a stdio server process line by line.

    One reader thread parses stdout and hands each message to the dispatcher. Lines that are not JSON are
    kept in ``garbage`` (a STDIO-01 finding) and skipped, so one stray ``print()`` does not derail every
    later check; a message spread over several lines is kept in ``multiline`` (STDIO-02).
    """

    transport = "stdio"

    def __init__(self, process: ServerProcess, timeout: float, *, owns_process: bool = True, **kwargs: Any) -> None:
        super().__init__(timeout, **kwargs)
        self.process = process
        self.owns_process = owns_process
        self.garbage: list[str] = []
        self.multiline: list[str] = []
        self.lines = 0
        self._held: list[str] = []
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"mcptest-wire-{process.pid}")
        self._reader.start()

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
            self._lost(str(exc))
            raise ServerGone(str(exc)) from None

    def _read(self) -> None:
        try:
            while True:
                line = self.process.read_line(3600.0)
                if line is None:
                    continue
                text = line.decode("utf-8", "replace")
                self.lines += 1
                self.transcript.add("<", text)
                message = self._parse(text.rstrip("\r\n"))
                if message is not _NOTHING:
                    self._deliver(message)
        except ServerExited as exc:
            self.flush()
            self._lost(str(exc))
        except Exception as exc:  # noqa: BLE001 - our bug: waiters raise WireBug, not a timeout blamed on the server
            self._broke(exc)
        finally:
            self._done.set()

    def _parse(self, text: str) -> Any:
        """Parse one stdout line. Lines that are not a JSON object/array are held back: if the next lines complete
        them into one JSON value, that was a message spread over several lines (``multiline``, STDIO-02); otherwise
        they were stray output (``garbage``, STDIO-01)."""
        if self._held:
            joined = "\n".join([*self._held, text])
            message = _loads(joined)
            if isinstance(message, (dict, list)):
                self._held.clear()
                self._keep(self.multiline, [joined])
                return message
        message = _loads(text)
        if isinstance(message, (dict, list)):
            self._keep(self.garbage, self._held)
            self._held.clear()
            return message
        self._held.append(text)
        if len(self._held) > _MAX_PENDING:
            self._keep(self.garbage, self._held)
            self._held.clear()
        return _NOTHING

    @staticmethod
    def _keep(into: list[str], lines: list[str]) -> None:
        room = _LIMIT - len(into)
        if room > 0:
            into.extend(lines[:room])

    def flush(self) -> None:
        """Count lines still held back as stray output (the stream ended, or the session is over)."""
        self._keep(self.garbage, self._held)
        self._held.clear()

    def wait_closed(self, timeout: float) -> bool:
        """Wait until stdout reached its end (after the process exited); True when it did."""
        return self._done.wait(timeout)

    def close(self) -> None:
        if self.owns_process:
            self.process.stop()
            self._done.wait(2.0)

    def describe(self) -> str:
        code = self.process.returncode
        state = f"server exited with code {code}" if code is not None else "server still running"
        return f"{state}{self.process.format_stderr()}"
