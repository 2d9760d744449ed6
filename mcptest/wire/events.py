"""Server-Sent Events as MCP uses them: lines split only at CR/LF, events with id, retry and JSON data."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


class _Body(Protocol):
    def iter_bytes(self) -> Iterator[bytes]: ...


class StreamTimeout(Exception):
    """The stream did not deliver what was awaited before the deadline."""


@dataclass(frozen=True)
class Event:
    """One SSE event: its ``id`` (None when it set none), ``event`` type, joined ``data`` and ``retry`` (ms)."""

    id: str | None
    event: str
    data: str
    retry: int | None = None


@dataclass
class StreamState:
    """What a stream told a client that may resume it: the last event id and the retry delay, if any."""

    last_event_id: str | None = None
    retry_ms: int | None = None
    events: int = 0
    garbage: list[str] = field(default_factory=list)


def sse_lines(body: _Body) -> Iterator[str]:
    """Lines of an SSE body, split only at CR, LF or CRLF as the SSE format says (``iter_lines`` would
    also split at U+0085, U+2028 and other characters JSON may carry unescaped)."""
    pending = b""
    for chunk in body.iter_bytes():
        pending += chunk
        held = pending.endswith(b"\r")  # a CR at the end of a chunk may be the first half of a CRLF
        text = pending[:-1] if held else pending
        *lines, rest = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        pending = rest + (b"\r" if held else b"")
        for line in lines:
            yield line.decode("utf-8", "replace")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", "replace")


def sse_events(body: _Body, deadline: float) -> Iterator[Event]:
    """Every event of the stream (priming events with empty data included; comments skipped).

    Raises:
        StreamTimeout: a line arrived after ``deadline``.
    """
    data: list[str] = []
    event_id: str | None = None
    kind, retry, seen = "message", None, False
    for line in sse_lines(body):
        if time.monotonic() > deadline:
            raise StreamTimeout("the SSE stream did not deliver the response in time")
        if not line:
            if seen:
                yield Event(event_id, kind, "\n".join(data), retry)
            data, event_id, kind, retry, seen = [], None, "message", None, False
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        seen = True
        if name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            event_id = value
        elif name == "event":
            kind = value
        elif name == "retry" and value.isdigit():
            retry = int(value)
    if seen:
        yield Event(event_id, kind, "\n".join(data), retry)


def read_events(
    body: _Body, deadline: float, state: StreamState, on_message: Callable[[Any], None], *, stop: Callable[[Any], bool]
) -> list[str]:
    """Parse JSON messages from the stream into ``on_message`` until ``stop(message)`` or the stream ends.

    ``state`` keeps the last event id and retry delay for a later resumption; data that is not JSON goes to
    ``state.garbage``. Returns the data of every event with a payload, for transcripts.
    """
    texts: list[str] = []
    for event in sse_events(body, deadline):
        state.events += 1
        if event.id is not None:
            state.last_event_id = event.id
        if event.retry is not None:
            state.retry_ms = event.retry
        if not event.data.strip():
            continue  # a priming event: an id to resume from and nothing else
        texts.append(event.data)
        try:
            message = json.loads(event.data)
        except ValueError:
            state.garbage.append(event.data)
            continue
        on_message(message)
        if stop(message):
            break
    return texts
