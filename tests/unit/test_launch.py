"""Starting and stopping servers: bounded, one-line errors, nothing left behind (children included)."""

from __future__ import annotations

import sys
import threading
import time

import psutil
import pytest

from mcptest.connect import ServerHandle
from mcptest.launch.process import LaunchError, ServerProcess
from mcptest.launch.wait import port_open, wait_until
from mcptest.settings import Settings
from mcptest.target import parse_target
from tests.conftest import SERVERS

PY = sys.executable
NEVER_READY = (f"{PY} -c \"import sys, threading; print('booting slowly', file=sys.stderr, flush=True); "
               "threading.Event().wait()\"")


def test_missing_command_is_one_line() -> None:
    with pytest.raises(LaunchError, match="command 'no-such-mcp-server' not found"):
        ServerProcess(["no-such-mcp-server"])


def test_stop_ends_the_whole_process_group() -> None:
    script = ("import subprocess, sys, threading; "
              "subprocess.Popen([sys.executable, '-c', 'import threading; threading.Event().wait()']); "
              "threading.Event().wait()")
    process = ServerProcess([PY, "-c", script])
    assert wait_until(lambda: len(psutil.Process(process.pid).children()) == 1, 10) is None
    child = psutil.Process(process.pid).children()[0]
    process.stop(grace=0.5)
    assert not process.alive
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


# stays up when its stdin closes (as an HTTP server does) and exits on SIGTERM; prints what it saw, in order
IGNORES_EOF = ("import signal, sys, threading\n"
               "def term(*_):\n    print('sigterm', file=sys.stderr, flush=True)\n    sys.exit(0)\n"
               "signal.signal(signal.SIGTERM, term)\n"
               "print('ready', file=sys.stderr, flush=True)\n"
               "sys.stdin.read()\nprint('stdin closed', file=sys.stderr, flush=True)\nthreading.Event().wait()")


@pytest.mark.parametrize("stdio", [True, False])
def test_a_stdio_server_is_stopped_by_closing_its_stdin_and_an_http_server_by_sigterm(stdio: bool) -> None:
    """The spec's stdio shutdown closes stdin first and waits; an HTTP server's stdin is not its channel, so waiting
    for it to exit after closing stdin only made every launched HTTP server's run end ``grace`` seconds later."""
    process = ServerProcess([PY, "-c", IGNORES_EOF], stdio=stdio)
    assert wait_until(lambda: process.stderr_tail() == ["ready"], 10) is None
    assert process.stop(grace=0.5 if stdio else 60) == 0
    assert wait_until(lambda: process.stderr_tail()[-1] == "sigterm", 5) is None
    assert process.stderr_tail() == (["ready", "stdin closed", "sigterm"] if stdio else ["ready", "sigterm"])


def test_stderr_tail_is_bounded_and_kept() -> None:
    process = ServerProcess([PY, "-c", "import sys\nfor i in range(5000): print('line', i, file=sys.stderr)"])
    process.wait_exit(10)
    assert wait_until(lambda: process.stderr_tail(1) == ["line 4999"], 5) is None
    assert len(process.stderr_tail(1000)) == 200
    process.stop()


def test_stderr_lines_that_are_not_utf8_are_told_apart_by_their_bytes_not_by_a_replacement_character() -> None:
    """U+FFFD written as valid UTF-8 (a server logging text it received) is valid; a Latin-1 byte is not."""
    script = ("import sys\nsys.stderr.buffer.write('got \\ufffd\\n'.encode())\n"
              "sys.stderr.buffer.write('caf\\xe9\\n'.encode('latin-1'))\nsys.stderr.buffer.write(b'done\\n')")
    process = ServerProcess([PY, "-c", script])
    process.wait_exit(10)
    assert wait_until(lambda: process.stderr_tail(1) == ["done"], 5) is None
    assert process.stderr_tail() == ["got \ufffd", "caf\ufffd", "done"]
    assert process.stderr_not_utf8() == (["caf\ufffd"], 3)
    process.stop()


def test_how_a_server_exited_includes_the_last_lines_it_wrote_to_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash's traceback is its last stderr output, still in the pipe as the process exits: the exit message waits
    for the reader to reach the end of it. On a busy machine the reader thread runs late and the message said "it
    wrote nothing to stderr"; here the reader starts only once the process has exited (it wrote less than a pipe
    buffer, so it could)."""
    exited = threading.Event()
    pump = ServerProcess._pump_stderr

    def reads_only_after_the_exit(self: ServerProcess) -> None:
        exited.wait(10)
        pump(self)

    monkeypatch.setattr(ServerProcess, "_pump_stderr", reads_only_after_the_exit)
    script = "import sys\nfor i in range(3000): print('line', i, file=sys.stderr)\nprint('last words', file=sys.stderr)"
    process = ServerProcess([PY, "-c", script + "\nsys.exit(1)"])
    process.proc.wait(10)
    exited.set()
    message = process.describe_exit()
    process.stop()
    assert "exited with code 1" in message and message.endswith("last words"), message[-300:]


def test_http_server_that_never_listens_fails_within_the_bound_with_its_stderr() -> None:
    settings = Settings(server="http://127.0.0.1:{port}/mcp", launch=NEVER_READY, timeout=2.0)
    handle = ServerHandle(parse_target(settings.server, launch=settings.launch), settings)
    started = time.monotonic()
    with pytest.raises(LaunchError) as info:
        handle.start()
    assert time.monotonic() - started < 2.0 + 5.0
    assert "did not listen on 127.0.0.1" in str(info.value) and "not ready within 2 s" in str(info.value)
    assert "booting slowly" in str(info.value)


def test_http_server_that_exits_reports_its_code() -> None:
    settings = Settings(server="http://127.0.0.1:{port}/mcp", launch=f"{PY} -c \"import sys; sys.exit('bad config')\"",
                        timeout=5.0)
    handle = ServerHandle(parse_target(settings.server, launch=settings.launch), settings)
    with pytest.raises(LaunchError, match="exited with code 1"):
        handle.start()


CLOSES_THEN_EXITS = """
import os, socket, sys, threading
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
listener.accept()[0].close()  # mcptest's readiness probe
listener.close()
exit_now = threading.Event()
while not os.path.exists(sys.argv[2]) and not exit_now.wait(0.02):  # on its way out: the port closed, not gone yet
    pass
"""


def test_a_launched_http_server_whose_port_closed_is_awaited_and_started_again(tmp_path) -> None:
    script, gone = tmp_path / "dying.py", tmp_path / "exit-now"
    script.write_text(CLOSES_THEN_EXITS)
    settings = Settings(server="http://127.0.0.1:{port}/mcp", launch=f"{PY} {script} {{port}} {gone}", timeout=10.0)
    handle = ServerHandle(parse_target(settings.server, launch=settings.launch), settings)
    handle.start()
    first = handle.http_server
    exits = threading.Timer(0.5, gone.touch)
    try:
        host, port = handle.url.split("//")[1].split("/")[0].split(":")
        assert wait_until(lambda: not port_open(host, int(port)), 10) is None
        exits.start()  # the process ends half a second after its port closed
        handle.open()  # a wire to the closed port would only be refused: it waits for the exit and starts another
        assert handle.restarts == 1 and handle.http_server is not first and not first.alive
    finally:
        exits.cancel()
        handle.close()


def test_wait_until_uses_the_injected_clock() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    assert wait_until(lambda: False, 3, interval=0, clock=clock) == "not ready within 3 s"
    assert wait_until(lambda: False, 60, interval=0, abort=lambda: "it died") == "it died"


def test_a_handle_stops_servers_that_ignore_the_end_of_their_input_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each such server is given the whole grace period before SIGTERM; one after another, three would take three."""
    spans: list[tuple[float, float, int | None]] = []
    stop = ServerProcess.stop

    def timed(process: ServerProcess, grace: float = 2.0) -> int | None:
        started = time.monotonic()
        code = stop(process, grace)
        spans.append((started, time.monotonic(), code))
        return code

    monkeypatch.setattr(ServerProcess, "stop", timed)
    settings = Settings(server=f"{PY} {SERVERS / 'life09_ignores_stdin_eof.py'}", timeout=10.0)
    handle = ServerHandle(parse_target(settings.server), settings)
    handle.start()
    wires = [handle.open() for _ in range(3)]
    assert all(wire.initialize("2025-11-25").ok for wire in wires)
    handle.close()
    assert len(spans) == 3 and all(code is not None and code < 0 for *_, code in spans)  # each needed a signal
    assert max(start for start, _, _ in spans) < min(end for _, end, _ in spans), spans  # their waits overlapped
