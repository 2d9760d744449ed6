"""Small ASGI helpers: read a (bounded) request body once and replay it to the wrapped application."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope

MAX_PEEK_BYTES = 64 * 1024


def small_post(scope: Scope, limit: int = MAX_PEEK_BYTES) -> bool:
    """Whether ``scope`` is an HTTP POST whose declared Content-Length is at most ``limit`` (never buffer large
    or unsized bodies)."""
    if scope["type"] != "http" or scope.get("method") != "POST":
        return False
    length = dict(scope.get("headers") or []).get(b"content-length", b"")
    return length.isdigit() and int(length) <= limit


async def read_body(receive: Receive) -> tuple[bytes | None, list[Message]]:
    """The whole body, or None when the client went away first; plus the messages read (to replay)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def replay(body: bytes | None, leftovers: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` (or the leftover messages) first, then defers to ``receive``."""
    messages = [{"type": "http.request", "body": body, "more_body": False}] if body is not None else list(leftovers)

    async def replayed() -> Message:
        return messages.pop(0) if messages else await receive()

    return replayed


def json_object(body: bytes) -> dict[str, Any] | None:
    """``body`` parsed as a JSON object, or None."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None
