"""The SSE streams of streamable HTTP, handshake era (HTTP-06, -13, -14, -19, -20, -21): what each stream carried.

One survey per version opens a session with a GET stream (when the server offers one), POSTs a ping and a few
tool calls reading every SSE event with its id, resumes any stream that ended early with ``Last-Event-ID``, and
keeps every stream's events. HTTP-06, -13, -14, -19 and -21 judge the survey; HTTP-20 cuts a stream on purpose.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import callable_tool, safe_tools, slow_call
from mcptest.checks.sse_reader import Event, Stream
from mcptest.findings import NotApplicable
from mcptest.wire import HttpWire

TOOL_PROBES = 3
RESUMES = 3
RETRY_CAP = 2.0
"""Seconds: the longest ``retry`` the survey honours before reconnecting (the client MUST respect it)."""
_TOKENS = itertools.count(1)


@dataclass
class Posted:
    """One POSTed request, the stream that answered it, and the streams that resumed it."""

    request: dict[str, Any]
    stream: Stream
    resumed: list[Stream] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        rid = self.request["id"]
        return self.stream.answered(rid) or any(s.answered(rid) for s in self.resumed)

    @property
    def sse(self) -> bool:
        return self.stream.content_type == "text/event-stream"

    def events(self) -> list[Event]:
        """The events of this request's stream, resumptions included."""
        return [e for s in (self.stream, *self.resumed) for e in s.events]


@dataclass
class Survey:
    """What the streams of one session carried."""

    posts: list[Posted]
    get: Stream | None
    get_refused: str


@contextmanager
def session(ctx: CheckContext) -> Iterator[HttpWire]:
    """A new HTTP session of the check's own, ended afterwards."""
    ctx.require_transport("http")
    with ctx.fresh() as wire:
        assert isinstance(wire, HttpWire)
        yield wire


def get_headers(wire: HttpWire, last_event_id: str | None = None) -> dict[str, str]:
    """The headers of a GET on the session's stream (and of a resumption when ``last_event_id`` is given)."""
    headers = {k: v for k, v in wire.base_headers().items() if k != "Content-Type"}
    headers["Accept"] = "text/event-stream"
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    return headers


def post(ctx: CheckContext, wire: HttpWire, request: dict[str, Any]) -> Stream:
    """POST ``request`` on the session, its answer read in the background."""
    return Stream(wire.url, "POST", wire.base_headers(request), request, timeout=ctx.timeout,
                  label=str(request.get("method")))


def resume(ctx: CheckContext, wire: HttpWire, last_id: str) -> Stream:
    """GET with ``Last-Event-ID``: the server may resume the stream that event belonged to."""
    return Stream(wire.url, "GET", get_headers(wire, last_id), timeout=ctx.timeout, label=f"resume after {last_id}")


def _requests(ctx: CheckContext, wire: HttpWire) -> list[dict[str, Any]]:
    requests = [wire.message("ping")]
    for tool in safe_tools(ctx):
        if len(requests) > TOOL_PROBES:
            break
        try:
            arguments = callable_tool(ctx, tool)
        except NotApplicable:
            continue
        requests.append(wire.message("tools/call", {"name": tool.get("name"), "arguments": arguments},
                                     meta={"progressToken": f"mcptest-stream-{next(_TOKENS)}"}))
    return requests


def _follow(ctx: CheckContext, wire: HttpWire, posted: Posted) -> None:
    """Read ``posted`` to its response; a stream that ended early with event ids is resumed with Last-Event-ID."""
    rid = posted.request["id"]
    posted.stream.wait(lambda _: posted.stream.answered(rid), ctx.timeout)
    current = posted.stream
    for _ in range(RESUMES):
        if posted.answered or not current.ended or not posted.sse:
            return
        ids = [e.id for e in posted.events() if e.id is not None]
        if not ids:
            return
        retry = next((e.retry for e in reversed(current.events) if e.retry is not None), None)
        if retry:
            threading.Event().wait(min(retry / 1000, RETRY_CAP))  # the reconnection delay the server asked for
        current = resume(ctx, wire, ids[-1])
        posted.resumed.append(current)
        if current.status != 200 or current.content_type != "text/event-stream":
            current.close()
            return
        current.wait(lambda _: current.answered(rid), ctx.timeout)
        current.close()


def survey(ctx: CheckContext) -> Survey:
    """The streams of one session at this version (computed once per version)."""

    def run() -> Survey:
        with session(ctx) as wire:
            get: Stream | None = Stream(wire.url, "GET", get_headers(wire), timeout=ctx.timeout, label="GET")
            refused = ""
            if get is not None and (get.status != 200 or get.content_type != "text/event-stream"):
                refused = f"GET answered HTTP {get.status} {get.content_type or ''}".strip()
                get.close()
                get = None
            posts = []
            for request in _requests(ctx, wire):
                posted = Posted(request, post(ctx, wire, request))
                _follow(ctx, wire, posted)
                posted.stream.close()
                posts.append(posted)
            sentinel = post(ctx, wire, wire.message("ping"))  # answered: a copy sent elsewhere has had its chance
            sentinel.wait(lambda _: sentinel.answered(sentinel.sent["id"]), ctx.timeout)
            sentinel.close()
            if get is not None:
                get.close()
            return Survey(posts, get, refused)

    return ctx.memo("stream-survey", run)


def _sse_posts(ctx: CheckContext) -> list[Posted]:
    posts = [p for p in survey(ctx).posts if p.sse]
    if not posts:
        raise NotApplicable("the server answered every POSTed request with application/json: no SSE stream to judge")
    return posts


@check("HTTP-06", "http", "an SSE answer carries the response")
def stream_carries_response(ctx: CheckContext) -> None:
    for posted in _sse_posts(ctx):
        if not posted.answered:
            resumed = f"; resumed {len(posted.resumed)} time(s) with Last-Event-ID" if posted.resumed else ""
            raise ctx.violation("HTTP-06", f"the response to request {posted.request['id']} on its SSE stream",
                                f"{posted.stream.describe()}{resumed}", sent=posted.request)


@check("HTTP-21", "http", "an SSE answer starts with a priming event")
def stream_primed(ctx: CheckContext) -> None:
    for posted in _sse_posts(ctx):
        first = posted.stream.events[0] if posted.stream.events else None
        if first is None or not first.priming:
            got = "no event at all" if first is None else f"first event id {first.id!r}, data {first.data[:80]!r}"
            raise ctx.violation("HTTP-21", "a first event with an event id and empty data", got, sent=posted.request)


def _streams(found: Survey) -> list[tuple[str, list[Event]]]:
    """Each stream of the session with its events (a request's resumptions count as its own stream)."""
    streams = [(f"POST {p.request.get('method')} (id {p.request['id']})", p.events()) for p in found.posts if p.sse]
    if found.get is not None:
        streams.append(("the GET stream", list(found.get.events)))
    return streams


@check("HTTP-14", "http", "SSE event ids are unique across the session's streams")
def event_ids_unique(ctx: CheckContext) -> None:
    streams = _streams(survey(ctx))
    owners: dict[str, tuple[str, str]] = {}
    for name, events in streams:
        for event in events:
            if event.id is None:
                continue
            owner = owners.setdefault(event.id, (name, event.data))
            if owner != (name, event.data):  # the same event redelivered on its own stream keeps its id
                raise ctx.violation("HTTP-14", "each event id used once within the session",
                                    f"id {event.id!r} on {owner[0]} ({owner[1][:80]!r}) and on {name} "
                                    f"({event.data[:80]!r})")
    if not owners:
        raise NotApplicable("the server set no SSE event id, so there is nothing to compare")


def _identity(message: Any) -> str | None:
    """A key only one message of a session can have: a response or server request by id, a progress step."""
    if not isinstance(message, dict):
        return None
    if "id" in message:
        kind = "request" if "method" in message else "response"
        return f"{kind} {json.dumps(message.get('id'))}"
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    if message.get("method") == "notifications/progress":
        return f"progress {json.dumps(params.get('progressToken'))} {json.dumps(params.get('progress'))}"
    return None


@check("HTTP-13", "http", "each message on one stream only")
def no_broadcast(ctx: CheckContext) -> None:
    streams = _streams(survey(ctx))
    if len(streams) < 2:
        raise NotApplicable("fewer than two SSE streams were open in the session, so nothing could be broadcast")
    seen: dict[str, str] = {}
    for name, events in streams:
        for key in {k for k in (_identity(e.message) for e in events) if k is not None}:
            if key in seen:
                raise ctx.violation("HTTP-13", "each message sent on one stream only",
                                    f"the {key} was sent on {seen[key]} and on {name}")
            seen[key] = name


@check("HTTP-19", "http", "no response on the GET stream")
def no_response_on_get(ctx: CheckContext) -> None:
    found = survey(ctx)
    if found.get is None:
        raise NotApplicable(f"the server offers no GET stream ({found.get_refused})")
    responses = [m for m in (e.message for e in found.get.events) if _identity(m) and "method" not in m]
    if responses:
        raise ctx.violation("HTTP-19", "no JSON-RPC response on the GET stream (nothing was being resumed)",
                            f"{len(responses)} response(s), first: {show(responses[0])}")


@check("HTTP-20", "http", "resuming replays only the stream that was cut")
def resume_replays_own_stream(ctx: CheckContext) -> None:
    slow = slow_call(ctx, 0.2)
    if slow is None:
        raise NotApplicable("no callable tool ran long enough to cut its stream while it works")
    with session(ctx) as wire:
        cut = wire.message("tools/call", slow.params(), meta={"progressToken": f"mcptest-stream-{next(_TOKENS)}"})
        first = post(ctx, wire, cut)
        first.wait(lambda events: any(e.id is not None for e in events), ctx.timeout)
        first.close()
        last = first.ids()[-1] if first.ids() else None
        if first.content_type != "text/event-stream" or last is None or first.answered(cut["id"]):
            raise NotApplicable(f"no resumable stream to cut while the call runs: {first.describe()}")
        other = post(ctx, wire, _requests(ctx, wire)[-1])  # a second stream, whose messages must not be replayed
        other.wait(lambda _: other.answered(other.sent["id"]), ctx.timeout)
        other.close()
        resumed = resume(ctx, wire, last)
        if resumed.status != 200 or resumed.content_type != "text/event-stream":
            resumed.close()
            raise NotApplicable(f"the server does not resume streams (GET with Last-Event-ID: {resumed.describe()})")
        resumed.wait(lambda _: resumed.answered(cut["id"]), ctx.timeout)
        resumed.close()
    foreign = {k for k in (_identity(m) for m in other.messages()) if k is not None}
    foreign |= {e.id for e in other.events if e.id is not None}
    replayed = [e for e in resumed.events if e.id in foreign or _identity(e.message) in foreign]
    if replayed:
        raise ctx.violation("HTTP-20", f"only events of the cut stream (request {cut['id']}) after {last!r}",
                            f"{len(replayed)} event(s) of another request's stream replayed, first: id "
                            f"{replayed[0].id!r} {replayed[0].data[:120]!r}", sent=cut)
