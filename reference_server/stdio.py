"""stdio transport that answers malformed input instead of dropping it: -32700 for bad JSON and -32600 for
anything that is not one valid JSON-RPC 2.0 message (wrong version, bad ids or params; batches outside 2025-03-26),
id null. At 2025-03-26 a batch is served element by element and answered as one array (batches.py)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import anyio
from anyio.streams.memory import MemoryObjectSendStream
from mcp.server import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp.types import (
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    RequestId,
)

from reference_server.batches import (
    BATCH_VERSION,
    BatchJoiner,
    claimed_stdout,
    requested_version,
)

if TYPE_CHECKING:
    from mcp.shared._stream_protocols import WriteStream

DRAIN_TIMEOUT_S = 3.0
OPEN_ENDED = frozenset({"subscriptions/listen"})  # answered only when the stream ends: never waited for at EOF


def _invalid(reason: str) -> JSONRPCError:
    return JSONRPCError(
        jsonrpc="2.0", id=None, error=ErrorData(code=INVALID_REQUEST, message=f"Invalid Request: {reason}")
    )


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def check_envelope(line: str) -> JSONRPCError | None:
    """The error to answer for one input line, or None when it is a well-formed single JSON-RPC 2.0 message."""
    try:
        message = json.loads(line)
    except ValueError:
        return JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=PARSE_ERROR, message="Parse error"))
    if isinstance(message, list):
        return _invalid("batches are not supported; send one message per line")
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return _invalid('expected a JSON object with "jsonrpc": "2.0"')
    if "method" in message:
        if not isinstance(message["method"], str):
            return _invalid("method must be a string")
        if "id" in message and not _valid_id(message["id"]):
            return _invalid("id must be a string or an integer")
        if "params" in message and not isinstance(message["params"], dict):
            return _invalid("params must be an object")
        return None
    if not _valid_id(message.get("id")) or ("result" in message) == ("error" in message):
        return _invalid("a response needs a string/integer id and exactly one of result or error")
    return None


class EnvelopeFilter:
    """Passes well-formed lines to the SDK transport; answers the others through ``rejects``. Once the client asked
    for 2025-03-26 in ``initialize``, a batch's elements pass one by one and ``joiner`` answers it as one array."""

    def __init__(self, source: AsyncIterable[str], rejects: MemoryObjectSendStream[JSONRPCError],
                 joiner: BatchJoiner | None = None) -> None:
        self._source = source
        self._rejects = rejects
        self._joiner = joiner
        self._batching = False

    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[str]:
        async with self._rejects:
            async for line in self._source:
                if not line.strip():
                    continue
                batch = self._batch(line)
                if batch == []:
                    await self._rejects.send(_invalid("an empty batch"))
                    continue
                if batch is not None:
                    for element in await self._open(batch):
                        yield element
                    continue
                error = check_envelope(line)
                if error is None:
                    self._note_version(line)
                    yield line
                else:
                    await self._rejects.send(error)

    def _batch(self, line: str) -> list[Any] | None:
        """The elements of a batch when batches are served, else None (one message, or refused)."""
        if not self._batching or self._joiner is None or not line.lstrip().startswith("["):
            return None
        try:
            value = json.loads(line)
        except ValueError:
            return None
        return value if isinstance(value, list) else None

    async def _open(self, batch: list[Any]) -> list[str]:
        """Register ``batch`` with the joiner; its well-formed elements as lines for the SDK."""
        assert self._joiner is not None
        lines, answers, request_ids = [], [], set()
        for element in batch:
            line = json.dumps(element)
            error = check_envelope(line)
            if error is not None:
                answers.append(error.model_dump(by_alias=True, exclude_unset=True))
                continue
            if "method" in element and "id" in element:
                request_ids.add(element["id"])
            lines.append(line)
        await self._joiner.open(request_ids, answers)
        return lines

    def _note_version(self, line: str) -> None:
        try:
            version = requested_version(json.loads(line))
        except ValueError:
            return
        if version is not None:
            self._batching = version == BATCH_VERSION


@contextmanager
def claimed_stdin() -> Iterator[anyio.AsyncFile[str]]:
    """Read the wire from a private duplicate of fd 0 and point fd 0 at /dev/null while serving, so handlers
    and child processes cannot consume protocol input. The duplicate is never closed: a worker thread may
    still be blocked on it when the transport exits."""
    private = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    try:
        raw = os.fdopen(private, "rb", buffering=0, closefd=False)
        yield anyio.wrap_file(io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8", errors="replace"))
    finally:
        os.dup2(private, 0)


class InFlight:
    """Tracks requests the server has not answered yet, so stdin EOF can wait for their responses."""

    def __init__(self, writer: WriteStream[SessionMessage]) -> None:
        self._writer = writer
        self._pending: set[RequestId] = set()
        self._changed = anyio.Event()

    def saw(self, message: SessionMessage) -> None:
        """Note an inbound request (pending) or a cancellation (no response will come)."""
        inbound = message.message
        if isinstance(inbound, JSONRPCRequest) and inbound.method not in OPEN_ENDED:
            self._pending.add(inbound.id)
        elif isinstance(inbound, JSONRPCNotification) and inbound.method == "notifications/cancelled":
            self._settle((inbound.params or {}).get("requestId"))

    def _settle(self, request_id: Any) -> None:
        self._pending.discard(request_id)
        self._changed.set()
        self._changed = anyio.Event()

    async def drain(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until every pending request has been answered."""
        with anyio.move_on_after(timeout):
            while self._pending:
                await self._changed.wait()

    async def send(self, item: SessionMessage) -> None:
        await self._writer.send(item)
        if isinstance(item.message, (JSONRPCResponse, JSONRPCError)):
            self._settle(item.message.id)

    async def aclose(self) -> None:
        await self._writer.aclose()

    async def __aenter__(self) -> InFlight:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def run_stdio(mcp: MCPServer, *, drain_timeout: float = DRAIN_TIMEOUT_S) -> None:
    """Serve ``mcp`` on this process's stdin/stdout until stdin closes.

    On EOF the server still answers requests already received (for up to ``drain_timeout`` seconds), so
    ``echo '<request>' | python -m reference_server`` prints its response before exiting.
    """
    server = mcp._lowlevel_server  # no public accessor in mcp 2.3.0
    rejects, rejected = anyio.create_memory_object_stream[JSONRPCError](16)
    with claimed_stdin() as stdin, claimed_stdout() as stdout:
        joiner = BatchJoiner(stdout)
        source = cast("anyio.AsyncFile[str]", EnvelopeFilter(stdin, rejects, joiner))
        sink = cast("anyio.AsyncFile[str]", joiner)
        async with stdio_server(stdin=source, stdout=sink) as (read_stream, write_stream):
            forward, inbound = anyio.create_memory_object_stream[SessionMessage | Exception](0)
            in_flight = InFlight(write_stream)

            async def answer_rejects() -> None:
                async with rejected:
                    async for error in rejected:
                        await write_stream.send(SessionMessage(error))

            async def pump() -> None:
                async with forward:
                    async for item in read_stream:
                        if isinstance(item, Exception):  # valid envelope the SDK still cannot parse
                            await write_stream.send(SessionMessage(_invalid("not a valid MCP message")))
                            continue
                        in_flight.saw(item)
                        await forward.send(item)
                    await in_flight.drain(drain_timeout)

            async with anyio.create_task_group() as group:
                group.start_soon(answer_rejects)
                group.start_soon(pump)
                await server.run(inbound, in_flight, server.create_initialization_options())
