"""stdio transport checks (STDIO-*): a clean stdout, one message per line, UTF-8."""

from __future__ import annotations

import json
from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.findings import NotApplicable
from mcptest.wire import RequestTimeout, StdioWire, Wire
from mcptest.wire.base import ServerGone, is_response

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
                                f"{len(wire.garbage)} other line(s) from one server process, first: "
                                f"{show(wire.garbage[0], 200)} "
                                f"({lines} stdout lines read from {len(wires)} processes)", wire=wire)


@check("STDIO-02", "stdio", "one message per line", phase="observe")
def one_message_per_line(ctx: CheckContext) -> None:
    for wire in _stdio_wires(ctx):
        spread = wire.multiline or ([joined] if (joined := _joined_json(wire.garbage)) else [])
        if spread:
            raise ctx.violation("STDIO-02", "each message on one line, without embedded newlines",
                                f"{len(spread)} message(s) spread over several lines, first: {show(spread[0], 200)}",
                                wire=wire)


@check("STDIO-03", "stdio", "UTF-8 round-trips")
def utf8_round_trip(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    wire = ctx.wire()
    from mcptest.checks.jsonrpc import cheap_method

    call = wire.begin(wire.message(cheap_method(ctx), id=NON_ASCII_ID))
    # a server that mangles the id answers a request nobody sent: that stray answer is the evidence, at once
    # (waiting for the id as sent would only end at the timeout)
    call.wait_for(lambda _: bool(_mangled_answers(wire)), ctx.timeout)
    mangled = _mangled_answers(wire)
    if mangled and not call.done:
        call.abandon()
        raise ctx.violation("STDIO-03", f"the UTF-8 id {NON_ASCII_ID!r} echoed unchanged",
                            f"the answer came back with the id {show(mangled[0].get('id'))}", wire=wire,
                            sent=call.request)
    reply = call.wait()
    if reply.response.get("id") != NON_ASCII_ID:
        raise ctx.violation("STDIO-03", f"the UTF-8 id {NON_ASCII_ID!r} echoed unchanged",
                            show(reply.response.get("id")), wire=wire, sent=reply.request)


def _mangled_answers(wire: Wire) -> list[dict[str, Any]]:
    """Answers in the inbox whose id is NON_ASCII_ID altered (its ASCII start kept, the rest changed)."""
    return [m for m in wire.peek() if is_response(m) and isinstance(m.get("id"), str)
            and m["id"] != NON_ASCII_ID and m["id"].startswith(NON_ASCII_ID[:9])]


@check("STDIO-04", "stdio", "stderr carries UTF-8 text", phase="observe")
def stderr_is_utf8(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    processes = [w.process for w in ctx.handle.observer.wires("stdio") if isinstance(w, StdioWire)]
    tails = [process.stderr_not_utf8(200) for process in processes]
    looked_at = sum(count for _, count in tails)
    if not looked_at:
        raise NotApplicable("the server wrote nothing to stderr, so there is nothing to judge")
    mangled = [line for lines, _ in tails for line in lines]
    if mangled:
        raise ctx.violation("STDIO-04", "UTF-8 strings on stderr",
                            f"{len(mangled)} of the last {looked_at} stderr lines are not valid UTF-8 (shown with "
                            f"U+FFFD), first: {show(mangled[0], 200)}")


SPLIT_ID = "mcptest-split-line"


@check("STDIO-05", "stdio", "a message split over two lines is refused, the server keeps serving",
       phase="exclusive", order=25)
def split_message_refused(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    from mcptest.checks.jsonrpc import after_sentinels, cheap_method

    wire = ctx.exclusive()
    wire.drain()
    payload = f'{{"jsonrpc": "2.0", "id": "{SPLIT_ID}",\n"method": "{cheap_method(ctx)}"}}\n'.encode()
    wire.send(payload)
    try:
        after_sentinels(ctx, wire, lambda _: False)
    except ServerGone as exc:
        raise ctx.violation("STDIO-05", "an error or no answer for the two fragments, then normal service",
                            f"the server exited: {exc}", wire=wire, sent=payload.decode()) from None
    except RequestTimeout as exc:
        raise ctx.violation("STDIO-05", "an error or no answer for the two fragments, then normal service",
                            f"later requests went unanswered: {exc}", wire=wire, sent=payload.decode()) from None
