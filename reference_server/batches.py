"""JSON-RPC batches over stdio at 2025-03-26, the one revision that requires them: each element goes to the SDK as
its own message, and the responses to a batch's requests go back as one array once all of them are in."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio

BATCH_VERSION = "2025-03-26"
"""2025-03-26 basic/index: "MCP implementations MUST support receiving JSON-RPC batches"."""


@dataclass
class Batch:
    """One received batch: the ids of its requests still unanswered, and the answers so far (in arrival order)."""

    pending: set[Any]
    answers: list[dict[str, Any]] = field(default_factory=list)


class BatchJoiner:
    """The stdout the SDK writes to: single messages pass through; a response to a request of an open batch is
    held until the batch's last one arrives, then the batch is written as one array."""

    def __init__(self, out: anyio.AsyncFile[str]) -> None:
        self._out = out
        self._batches: list[Batch] = []
        self._lock = anyio.Lock()

    async def open(self, request_ids: set[Any], answers: list[dict[str, Any]]) -> None:
        """Start a batch (its requests are about to reach the SDK); answers known already (refused elements) are
        written at once when the batch has no request to wait for."""
        if request_ids:
            self._batches.append(Batch(set(request_ids), list(answers)))
        elif answers:
            await self._write_line(json.dumps(answers))

    async def write(self, text: str) -> int:
        for line in text.splitlines():
            batch = self._claim(line)
            if batch is None:
                await self._write_line(line)
            elif not batch.pending:
                self._batches.remove(batch)
                await self._write_line(json.dumps(batch.answers))
        return len(text)

    async def flush(self) -> None:
        async with self._lock:
            await self._out.flush()

    def _claim(self, line: str) -> Batch | None:
        """The open batch a response line belongs to (its answer recorded there), or None."""
        if not self._batches:
            return None
        try:
            message = json.loads(line)
        except ValueError:
            return None
        if not isinstance(message, dict) or "method" in message:
            return None
        for batch in self._batches:
            if message.get("id") in batch.pending:
                batch.pending.discard(message["id"])
                batch.answers.append(message)
                return batch
        return None

    async def _write_line(self, line: str) -> None:
        async with self._lock:
            await self._out.write(line + "\n")
            await self._out.flush()


@contextmanager
def claimed_stdout() -> Iterator[anyio.AsyncFile[str]]:
    """Write the wire to a private duplicate of fd 1 and point fd 1 at stderr while serving, so a stray print()
    in a handler or a child process cannot corrupt the JSON-RPC stream (what the SDK does for its own stdout)."""
    private = os.dup(1)
    os.dup2(2, 1)
    try:
        raw = os.fdopen(private, "wb", buffering=0, closefd=False)
        yield anyio.wrap_file(io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", write_through=True))
    finally:
        os.dup2(private, 1)


def requested_version(message: Any) -> str | None:
    """The protocolVersion an ``initialize`` request asks for, or None for any other message."""
    if isinstance(message, dict) and message.get("method") == "initialize" and isinstance(message.get("params"), dict):
        version = message["params"].get("protocolVersion")
        return version if isinstance(version, str) else None
    return None
