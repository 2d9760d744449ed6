"""Bounded in-memory event store so Streamable HTTP clients can resume an SSE stream with Last-Event-ID."""

from __future__ import annotations

import itertools
from collections import OrderedDict

from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp.types import JSONRPCMessage


class MemoryEventStore(EventStore):
    """Keeps the most recent ``capacity`` events of all streams (oldest evicted first).

    Event ids are ``<stream>:<sequence>`` with a process-wide increasing sequence, so replay order is the
    order events were stored. A single-process store: replicas behind a load balancer need sticky sessions
    (or a shared store) for resumption to find the events.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._events: OrderedDict[EventId, tuple[StreamId, JSONRPCMessage | None]] = OrderedDict()
        self._sequence = itertools.count(1)

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        """Store one event (``None`` = priming event) and return its id."""
        event_id = f"{stream_id}:{next(self._sequence)}"
        self._events[event_id] = (stream_id, message)
        while len(self._events) > self._capacity:
            self._events.popitem(last=False)
        return event_id

    async def replay_events_after(self, last_event_id: EventId, send_callback: EventCallback) -> StreamId | None:
        """Send every later event of the same stream; None when the id is unknown (evicted or foreign)."""
        if last_event_id not in self._events:
            return None
        stream_id = self._events[last_event_id][0]
        found = False
        for event_id, (stream, message) in list(self._events.items()):
            if event_id == last_event_id:
                found = True
            elif found and stream == stream_id and message is not None:
                await send_callback(EventMessage(message, event_id))
        return stream_id
