"""stdio transport checks (STDIO-*): a clean stdout, one message per line, UTF-8."""

from __future__ import annotations

import json

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import safe_tools
from mcptest.checks.examples import example_arguments
from mcptest.findings import NotApplicable
from mcptest.wire import RequestTimeout, StdioWire
from mcptest.wire.stdio import ServerGone

NON_ASCII_ID = "mcptest-h\u00e9llo-\u2713-\u65e5\u672c-\U0001f600"


def _session(ctx: CheckContext, wire: StdioWire) -> None:
    """A typical session: lists, a ping, then a clean shutdown (so exit-time output is seen too)."""
    for method, cap in (("tools/list", "tools"), ("resources/list", "resources"), ("prompts/list", "prompts")):
        if ctx.surface.has(cap):
            wire.request(method, {})
    for tool in safe_tools(ctx)[:3]:
        try:
            arguments = example_arguments(tool.get("inputSchema"))
            wire.request("tools/call", {"name": tool.get("name"), "arguments": arguments}, timeout=min(ctx.timeout, 5.0))
        except (NotApplicable, RequestTimeout):
            continue  # a tool that cannot be called or hangs is another check's finding, not stdout's
    wire.request("ping")
    wire.process.close_stdin()
    wire.process.wait_exit(3.0)
    try:
        wire.collect(0.3)  # whatever the server still writes while shutting down
    except ServerGone:
        pass  # stdout reached its end: everything was read
    wire.flush()


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


@check("STDIO-01", "stdio", "stdout carries only MCP messages")
def clean_stdout(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    with ctx.fresh() as wire:
        assert isinstance(wire, StdioWire)
        _session(ctx, wire)
        shared = ctx.wire()
        lines = wire.garbage + (shared.garbage if isinstance(shared, StdioWire) else [])
        if lines and _joined_json(lines) is None:
            raise ctx.violation("STDIO-01", "only JSON-RPC messages on stdout", f"{len(lines)} other line(s), first: {show(lines[0], 200)}", wire=wire)


@check("STDIO-02", "stdio", "one message per line")
def one_message_per_line(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    with ctx.fresh() as wire:
        assert isinstance(wire, StdioWire)
        _session(ctx, wire)
        shared = ctx.wire()
        spread = wire.multiline + (shared.multiline if isinstance(shared, StdioWire) else []) or ([joined] if (joined := _joined_json(wire.garbage)) else [])
        if spread:
            raise ctx.violation("STDIO-02", "each message on one line, without embedded newlines", f"{len(spread)} message(s) spread over several lines, first: {show(spread[0], 200)}", wire=wire)


@check("STDIO-03", "stdio", "UTF-8 round-trips")
def utf8_round_trip(ctx: CheckContext) -> None:
    ctx.require_transport("stdio")
    ctx.require_version(("2025-03-26", "2025-06-18", "2025-11-25"))
    wire = ctx.wire()
    reply = wire.request("ping", id=NON_ASCII_ID)
    if reply.response.get("id") != NON_ASCII_ID:
        raise ctx.violation("STDIO-03", f"the UTF-8 id {NON_ASCII_ID!r} echoed unchanged", show(reply.response.get("id")), wire=wire, sent=reply.request)
