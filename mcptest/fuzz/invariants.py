"""What must hold after every step of a stateful sequence, checked on one connection: the call got a well-formed
answer (no crash, hang or protocol error; structured output valid against outputSchema), every listed resource
can still be read, and a listing that changed was announced with ``notifications/*/list_changed``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcptest.fuzz.judge import CallClock, FuzzFailure, judge_valid
from mcptest.serial import HYPOTHESIS
from mcptest.wire import RequestTimeout, WireError

if TYPE_CHECKING:
    from mcptest.discovery import Surface
    from mcptest.wire import Wire

LISTS = {"tools": ("tools/list", "tools"), "resources": ("resources/list", "resources"),
         "prompts": ("prompts/list", "prompts")}
MAX_READS = 20
MAX_PAGES = 20
SENTINELS = 2
"""Requests sent (and answered) after a listing changed without an announcement, before concluding none is coming:
a server answers one connection's lines in order, so a notification not in by then is not coming."""
READ_RESOURCES = ("for resource in mcp_session.list_all('resources'):\n"
                  "    mcp_session.read_resource(resource.uri)  # listed, so it must be readable")


class Broken(Exception):
    """An invariant broke: ``kind`` (a key of ``sequence.STATE_REQUIREMENT``), what was seen, and the test lines
    that show it after the last step."""

    def __init__(self, kind: str, detail: str, check: str = "") -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.check = check


@dataclass
class Probe:
    """One sequence's connection and what it has seen so far (listings, announcements).

    Attributes:
        wire: the connection (ready at the run's version).
        surface: the discovered surface (capabilities and tools, as at the start).
        tools: tool name -> tool as listed.
        clock: the bound on each call.
        announce: whether missing list_changed notifications are judged (see ``judges_announcements``).
    """

    wire: Wire
    surface: Surface
    tools: dict[str, dict[str, Any]]
    clock: CallClock
    announce: bool
    listings: dict[str, str] = field(default_factory=dict)
    announced: set[str] = field(default_factory=set)

    def start(self) -> None:
        """Take the listings the sequence starts from."""
        self.listings = {kind: _fingerprint(items) for kind, items in self._list_all().items()}
        self._take_announcements()

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Call ``tool``; its result (a dict), or raises Broken with what went wrong."""
        started = time.monotonic()
        try:
            with HYPOTHESIS.released():  # a step of a Hypothesis state machine waits: another property may draw
                reply = self.wire.request("tools/call", {"name": tool, "arguments": arguments},
                                          timeout=self.clock.bound())
        except RequestTimeout as exc:
            raise Broken("hang", f"{tool} got no answer within {exc.timeout:g} s") from None
        except WireError as exc:
            raise Broken("crash", f"{tool}: {exc}") from None
        self.clock.answered(time.monotonic() - started)

        def failed(kind: str, detail: str) -> FuzzFailure:
            return FuzzFailure(tool, "valid", kind, arguments, detail)

        failure, _ = judge_valid(self.tools[tool], reply, failed, self.wire.protocol_version)
        if failure is not None:
            raise Broken(failure.kind, f"{tool}: {failure.detail}", _check_for(failure.kind, tool))
        return reply.result

    def after(self) -> dict[str, list[dict[str, Any]]]:
        """Check the listings and resources after a step; the listings taken (for values worth feeding back)."""
        listed = self._list_all()
        self._take_announcements()
        self._check_announced(listed)
        self._check_readable(listed.get("resources", []))
        return listed

    # -- invariants -----------------------------------------------------------------------------------------

    def _list_all(self) -> dict[str, list[dict[str, Any]]]:
        """Resources are always re-listed (each must stay readable); the others when changes must be announced."""
        listed: dict[str, list[dict[str, Any]]] = {}
        for kind, (method, key) in LISTS.items():
            declared = self.surface.capabilities.get(kind)
            if isinstance(declared, dict) and (kind == "resources" or (self.announce and declared.get("listChanged"))):
                listed[kind] = self._walk(kind, method, key)
        return listed

    def _walk(self, kind: str, method: str, key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: Any = None
        for _ in range(MAX_PAGES):
            reply = self._request(method, {"cursor": cursor} if cursor is not None else {})
            result = reply.result if reply.ok and isinstance(reply.result, dict) else None
            if result is None:
                broken = "resources-listing" if kind == "resources" else "listing"
                raise Broken(broken, f"{method} failed after the sequence: {str(reply.response)[:300]}",
                             f"mcp_session.list_{kind}()  # the listing must still work")
            items += [item for item in result.get(key, []) if isinstance(item, dict)]
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str):
                break
        return items

    def _request(self, method: str, params: dict[str, Any]) -> Any:
        show = READ_RESOURCES if method.startswith("resources/") else ""
        try:
            with HYPOTHESIS.released():
                reply = self.wire.request(method, params, timeout=self.clock.timeout)
        except RequestTimeout as exc:
            raise Broken("hang", f"{method} got no answer within {exc.timeout:g} s after the sequence", show) from None
        except WireError as exc:
            raise Broken("crash", f"{method} after the sequence: {exc}", show) from None
        return reply

    def _take_announcements(self) -> None:
        for message in self.wire.drain():
            method = message.get("method") if isinstance(message, dict) else None
            for kind in LISTS:
                if method == f"notifications/{kind}/list_changed":
                    self.announced.add(kind)

    def _check_announced(self, listed: dict[str, list[dict[str, Any]]]) -> None:
        for kind, items in listed.items():
            now = _fingerprint(items)
            if now == self.listings.get(kind):
                continue
            declared = (self.surface.capabilities.get(kind) or {}).get("listChanged") is True
            if declared and kind not in self.announced:
                for _ in range(SENTINELS):  # event-driven: a later request's answer bounds the wait
                    self._request("ping", {})
                    self._take_announcements()
                    if kind in self.announced:
                        break
                else:
                    raise Broken("unannounced-list-change",
                                 f"the {kind} listing changed without notifications/{kind}/list_changed although "
                                 "listChanged is declared",
                                 "mcp_session.send_ping()  # answered in order: an announcement of the last call "
                                 "is in by now\n"
                                 f"assert any(n.method == 'notifications/{kind}/list_changed' "
                                 "for n in mcp_session.notifications[announced:]), "
                                 f"'the {kind} listing changed unannounced'")
            self.listings[kind] = now
            self.announced.discard(kind)

    def _check_readable(self, resources: list[dict[str, Any]]) -> None:
        for item in resources[:MAX_READS]:
            uri = item.get("uri")
            if not isinstance(uri, str):
                continue
            reply = self._request("resources/read", {"uri": uri})
            contents = reply.result.get("contents") if reply.ok and isinstance(reply.result, dict) else None
            if not isinstance(contents, list):
                raise Broken("unreadable-resource",
                             f"resource {uri} is listed but resources/read answered {str(reply.response)[:300]}",
                             READ_RESOURCES)


def _check_for(kind: str, tool: str) -> str:
    """Test lines after the last call that show a broken call invariant."""
    if kind == "output-schema":
        return (f"tool = next(t for t in mcp_session.list_all('tools') if t.name == {tool!r})\n"
                "import jsonschema\n"
                "jsonschema.validate(result.structured_content, tool.output_schema)  # STATE-02")
    return ""  # the call itself fails in the SDK client: it raises on a JSON-RPC error or a malformed result


def _fingerprint(items: list[dict[str, Any]]) -> str:
    return repr(sorted(repr(sorted(item.items())) for item in items))
