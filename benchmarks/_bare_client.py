"""The bare baseline: start a stdio server, send ``initialize`` and ``tools/list`` as raw JSON-RPC (no SDK), stop it.

    python benchmarks/_bare_client.py [--timeout 30] -- python -m reference_server

Prints one JSON line ``{"tools": N, "pages": P}``. Every read is bounded by ``--timeout``; the server's process
group is ended (stdin closed, then SIGTERM, then SIGKILL) before this script exits.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import time
from typing import Any

PROTOCOL = "2025-11-25"


class BareClient:
    """Newline-delimited JSON-RPC over a child's stdin/stdout, reads bounded by a deadline."""

    def __init__(self, argv: list[str], timeout: float) -> None:
        self.timeout = timeout
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self._buffer = b""
        self._next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        """Write one message as a line."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send a request and return its result; other messages (logs, notifications) are skipped."""
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        deadline = time.monotonic() + self.timeout
        while True:
            message = json.loads(self._line(deadline))
            if message.get("id") == self._next_id and "method" not in message:
                if "error" in message:
                    raise SystemExit(f"{method} failed: {message['error']}")
                return message["result"]

    def _line(self, deadline: float) -> bytes:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise SystemExit(f"no answer within {self.timeout:g} s")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise SystemExit(f"the server closed stdout (exit code {self.proc.poll()})")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def close(self) -> None:
        """Close stdin (the spec's stdio shutdown), then SIGTERM and SIGKILL the group if it lingers."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
            try:
                self.proc.wait(timeout=2.0)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything the server started and left behind
        except ProcessLookupError:
            pass


def list_tools(client: BareClient) -> tuple[int, int]:
    """Handshake, then every page of ``tools/list``; (tools, pages)."""
    client.request("initialize", {"protocolVersion": PROTOCOL, "capabilities": {},
                                  "clientInfo": {"name": "bare-baseline", "version": "1"}})
    client.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    tools, pages, cursor = 0, 0, None
    while True:
        result = client.request("tools/list", {"cursor": cursor} if cursor else {})
        tools, pages = tools + len(result.get("tools", [])), pages + 1
        cursor = result.get("nextCursor")
        if not cursor:
            return tools, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the server command (after --)")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the server command after --")
    client = BareClient(command, args.timeout)
    try:
        tools, pages = list_tools(client)
    finally:
        client.close()
    print(json.dumps({"tools": tools, "pages": pages}))


if __name__ == "__main__":
    main()
