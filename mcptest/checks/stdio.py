"""stdio transport checks (STDIO-*): a clean stdout, one message per line, UTF-8."""

from __future__ import annotations

import json

from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable
from mcptest.wire import StdioWire

NON_ASCII_ID = "mcptest-h\u00e9llo-\u2713-\u65e5\u672c-\U0001f600"


def _stdio_wires(ctx: CheckContext) -> list[StdioWire]:
    """Every server process of this run whose stdout mcptest read (their lines are what is judged)."""
    ctx.require_transport("stdio")
    wires = [w for w in ctx.handle.observer.wires("stdio") if isinstance(w, StdioWire) and w.lines]
    if not wires:
        raise NotApplicable("no stdout line was read from the server, so there is nothing to judge")
    return wires


def _joined_json(lines: list[str]) -> str | None:
    """The first run of consecutive non-JSON lines that together form one JSON value (pretty-printing)."""
    for start in range(len(lines)):
        for end in range(start + 2, min(len(lines), start + 400) + 1):
            try:
                json.loads("\n".join(lines[start:end]))
                return "\n".join(lines[start:end])
            except ValueError:
                continue
    return None


@check("STDIO-01", "stdio", "stdout carries only MCP messages", phase="observe")
def clean_stdout(ctx: CheckContext) -> None:
    wires = _stdio_wires(ctx)
    for wire in wires:
        if wire.garbage and _joined_json(wire.garbage) is None:
            lines = sum(w.lines for w in wires)
            raise ctx.violation("STDIO-01", "only JSON-RPC messages on stdout",
                                f"{len(wire.garbage)} other line(s) from one server process, first: {show(wire.garbage[0], 200)} "
                                f"({lines} stdout lines read from {len(wires)} processes)", wire=wire)


@check("STDIO-02", "stdio", "one message per line", phase="observe")
def one_message_per_line(ctx: CheckContext) -> None:
    for wire in _stdio_wires(ctx):
        spread = wire.multiline or ([joined] if (joined := _joined_json(wire.garbage)) else [])
        if spread:
            raise ctx.violation("STDIO-02", "each message on one line, without embedded newlines",
                                f"{len(spread)} message(s) spread over several lines, first: {show(spread[0], 200)}", wire=wire)


@check("STDIO-03", "stdio", "UTF-8 round-trips")
def utf8_round_trip(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    wire = ctx.wire()
    from mcptest.checks.jsonrpc import cheap_method

    reply = wire.request(cheap_method(ctx), id=NON_ASCII_ID)
    if reply.response.get("id") != NON_ASCII_ID:
        raise ctx.violation("STDIO-03", f"the UTF-8 id {NON_ASCII_ID!r} echoed unchanged", show(reply.response.get("id")),
                            wire=wire, sent=reply.request)
