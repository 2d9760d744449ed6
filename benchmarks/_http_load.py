"""A lean HTTP/1.1 keep-alive client on asyncio streams, so the load generator costs little next to the server.

httpx spends ~6 ms of CPU per request on this machine, more than the SDK server itself (~4 ms), which would
compress any server-to-server ratio towards 1. This client does only what a JSON-RPC POST needs: one request
at a time per connection, ``Content-Length`` or chunked bodies. Every read is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any


class HttpError(RuntimeError):
    """The server sent something this client cannot read, or nothing in time."""


@dataclass(frozen=True)
class Reply:
    """One HTTP response: status, lower-cased headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def messages(self) -> list[Any]:
        """The JSON-RPC messages in a JSON body or in the ``data:`` lines of an SSE body."""
        text = self.body.decode("utf-8")
        if self.headers.get("content-type", "").startswith("application/json"):
            return [json.loads(text)] if text.strip() else []
        return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:") and line[5:].strip()]


class Connection:
    """One keep-alive connection to ``host:port``."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Reply:
        """Send one request and read its whole response (bounded by the timeout)."""
        return await asyncio.wait_for(self._exchange(method, path, body, headers or {}), self.timeout)

    async def _exchange(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        try:
            status = int(head[0].split(" ", 2)[1])
        except (IndexError, ValueError):
            raise HttpError(f"bad status line {head[0]!r}") from None
        fields = dict(line.split(":", 1) for line in head[1:] if ":" in line)
        reply_headers = {key.strip().lower(): value.strip() for key, value in fields.items()}
        if reply_headers.get("transfer-encoding", "").lower() == "chunked":
            data = await self._chunked()
        else:
            data = await self._reader.readexactly(int(reply_headers.get("content-length", "0")))
        if reply_headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, reply_headers, data)

    async def _chunked(self) -> bytes:
        assert self._reader is not None
        parts: list[bytes] = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")  # no trailers are sent: the blank line ends the body
                return b"".join(parts)
            parts.append((await self._reader.readexactly(size + 2))[:-2])

    async def close(self) -> None:
        """Close the connection."""
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except OSError:
                pass  # the server closed first: nothing left to release
            self._writer = None
