"""200 ``call_tool`` calls through mcptest's ``Session`` (the ``mcp_session`` fixture) against the raw ``mcp.Client``.

    python benchmarks/session_vs_client.py [--repeat 5] [--quick] [--calls 200]

Both talk to the same server: the bare SDK ``add`` server (benchmarks/_sdk_add_server.py) in-process (memory
streams) and as a stdio subprocess. The baseline ``mcp.Client`` is configured the way ``Session`` configures its
own (``mode="legacy"``, ``cache=None``) and driven by one ``anyio.run``; ``Session`` adds its blocking portal and
a per-call timeout. Only the calls are timed (connection excluded), in alternating order. Target: <= 1.10x.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from _common import PY, BenchError, Figure, judged, median, parser, repetitions, report, spread
from _sdk_add_server import build

from mcptest.session import Session

ADD_SERVER = str(Path(__file__).resolve().parent / "_sdk_add_server.py")


def raw_client(server: Any) -> Any:
    """The SDK client as ``Session`` builds it, for ``server`` (an object, or a stdio command as argv)."""
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    if isinstance(server, list):
        server = stdio_client(StdioServerParameters(command=server[0], args=server[1:]))
    return Client(server, mode="legacy", cache=None, read_timeout_seconds=30.0)


def time_raw(server: Any, calls: int) -> tuple[float, float]:
    """Wall and CPU seconds of ``calls`` awaited ``call_tool("add")`` on one raw client."""

    async def run() -> tuple[float, float]:
        async with raw_client(server) as client:
            await client.call_tool("add", {"a": 1, "b": 2})  # warm: first call pays for lazy set-up
            started, cpu = time.perf_counter(), time.process_time()
            for index in range(calls):
                result = await client.call_tool("add", {"a": index, "b": 1})
                _expect(result, index + 1)
            return time.perf_counter() - started, time.process_time() - cpu

    return anyio.run(run)


def time_session(server: Any, calls: int) -> tuple[float, float]:
    """Wall and CPU seconds of ``calls`` ``session.call_tool("add")`` on one mcptest Session."""
    target = " ".join(server) if isinstance(server, list) else server
    with Session(target, timeout=30.0) as session:
        session.call_tool("add", {"a": 1, "b": 2})
        started, cpu = time.perf_counter(), time.process_time()
        for index in range(calls):
            _expect(session.call_tool("add", {"a": index, "b": 1}), index + 1)
        return time.perf_counter() - started, time.process_time() - cpu


def _expect(result: Any, value: int) -> None:
    text = result.content[0].text if result.content else None
    if result.is_error or text != str(value):
        raise BenchError(f"add returned {result!r}, expected {value}")


def compare(label: str, make: Callable[[], Any], calls: int, count: int) -> list[Figure]:
    """Alternate raw and Session runs ``count`` times on servers from ``make``; the figures."""
    raw: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    for index in range(count):
        for who in ("raw", "session") if index % 2 == 0 else ("session", "raw"):
            (raw if who == "raw" else ours).append((time_raw if who == "raw" else time_session)(make(), calls))
        print(f"  {label} #{index + 1}: raw {raw[-1][0]:.3f} s, session {ours[-1][0]:.3f} s", flush=True)
    note = f"{calls} calls" + (f"; runs {spread([w for w, _ in ours])} vs {spread([w for w, _ in raw])} s"
                               if count > 1 else "")
    return [
        judged(f"{label}: wall", median([w for w, _ in ours]), median([w for w, _ in raw]), "s", at_most=1.10,
               note=note),
        judged(f"{label}: cpu of this process", median([c for _, c in ours]), median([c for _, c in raw]), "s"),
    ]


def main() -> None:
    cli = parser(__doc__, repeat=5)
    cli.add_argument("--calls", type=int, default=200, help="tool calls per measurement (default 200)")
    args = cli.parse_args()
    calls = 20 if args.quick else args.calls
    count = repetitions(args)
    figures = compare("in-process", build, calls, count)
    figures += compare("stdio subprocess", lambda: [PY, ADD_SERVER], calls, count)
    report(f"mcptest Session vs raw mcp.Client: {calls} call_tool calls", figures, args)


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"benchmark failed: {exc}")
