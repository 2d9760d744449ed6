"""An MCP client transport over a started ServerProcess that keeps every stdout line that is not JSON-RPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp import types
from mcp.shared.message import SessionMessage

from mcptest.launch.process import ServerExited, ServerProcess

NOISE_LIMIT = 200
_POLL = 0.5  # seconds one blocking read waits before it checks for cancellation


@asynccontextmanager
async def process_transport(process: ServerProcess, noise: list[str]) -> AsyncIterator[tuple[Any, Any]]:
    """Streams for ``mcp.Client`` over the process's stdin/stdout.

    Args:
        process: a started stdio server.
        noise: receives (up to ``NOISE_LIMIT``) stdout lines that are not JSON-RPC messages: log lines or
            ``print`` output that a stdio server must send to stderr instead.
    """
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

    async def pump_stdout() -> None:
        async with read_writer:
            while True:
                try:
                    line = await anyio.to_thread.run_sync(process.read_line, _POLL, abandon_on_cancel=True)
                except ServerExited:
                    return
                if line is None:
                    continue
                text = line.decode("utf-8", "replace").strip()
                if not text:
                    continue
                try:
                    message = types.jsonrpc_message_adapter.validate_json(text, by_name=False)
                except ValueError:
                    if len(noise) < NOISE_LIMIT:
                        noise.append(text)
                    continue
                try:
                    await read_writer.send(SessionMessage(message))
                except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                    return

    async def pump_stdin() -> None:
        async with write_reader:
            async for message in write_reader:
                data = message.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                try:
                    await anyio.to_thread.run_sync(process.write, data.encode("utf-8"))
                except ServerExited:
                    await read_writer.aclose()
                    return

    async with anyio.create_task_group() as group:
        group.start_soon(pump_stdout)
        group.start_soon(pump_stdin)
        try:
            yield read_stream, write_stream
        finally:
            group.cancel_scope.cancel()
