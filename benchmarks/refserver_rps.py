"""Reference server throughput and latency over streamable HTTP at concurrency 16, against a bare SDK server.

    python benchmarks/refserver_rps.py [--repeat 3] [--quick] [--requests 2000] [--concurrency 16] [--method call]

Ours: ``python -m reference_server --transport http --env conformance`` (its middlewares, metrics, event store),
calling ``test_simple_text`` (a constant text result). Baseline: benchmarks/_sdk_add_server.py (an ``MCPServer``
with one ``add`` tool, same uvicorn / streamable HTTP stack, SDK defaults) calling ``add``. ``--method list`` sends
``tools/list`` and ``--method ping`` sends ``ping`` to both instead. The load generator runs in this process on
asyncio with a lean HTTP/1.1 client (benchmarks/_http_load.py; httpx costs more CPU per request than the server):
it opens one MCP session per worker, warms each with 3 requests, then the workers share ``--requests`` requests.
Requests/s is over that measured phase; latency is per request. Target: requests/s >= 0.8x the baseline's.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _common import (PY, BenchError, Figure, http_server, judged, median, parser, reference_http_argv,
                     repetitions, report, scratch_dir)
from _http_load import Connection, Reply

ADD_SERVER = str(Path(__file__).resolve().parent / "_sdk_add_server.py")
VERSION = "2025-11-25"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
CALLS = {"reference": ("test_simple_text", {}), "bare SDK": ("add", {"a": 1, "b": 2})}


@dataclass(frozen=True)
class Load:
    """One measured phase: requests per second and per-request latencies (seconds)."""

    rps: float
    latencies: list[float]

    def percentile(self, q: int) -> float:
        """The q-th percentile latency in milliseconds."""
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


def request_body(method: str, server: str, ident: int) -> dict[str, Any]:
    """The JSON-RPC request a worker sends."""
    if method == "call":
        name, arguments = CALLS[server]
        return {"jsonrpc": "2.0", "id": ident, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    return {"jsonrpc": "2.0", "id": ident, "method": "tools/list" if method == "list" else "ping", "params": {}}


def answer(reply: Reply, ident: int) -> dict[str, Any]:
    """The JSON-RPC response with id ``ident`` in a JSON or SSE body; raises BenchError on an error or none."""
    if reply.status != 200:
        raise BenchError(f"HTTP {reply.status}: {reply.body[:300]!r}")
    for message in reply.messages():
        if isinstance(message, dict) and message.get("id") == ident:
            result = message.get("result")
            if "error" in message or (isinstance(result, dict) and result.get("isError")):
                raise BenchError(f"request {ident} failed: {message}")
            return message
    raise BenchError(f"no response to request {ident} in: {reply.body[:300]!r}")


class Worker:
    """One connection with one MCP session on it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.path = parts.path
        self.connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30.0)
        self.headers = dict(HEADERS)

    async def post(self, message: dict[str, Any]) -> Reply:
        """POST one JSON-RPC message with the session's headers."""
        return await self.connection.request("POST", self.path, json.dumps(message).encode(), self.headers)

    async def open(self) -> None:
        """initialize + notifications/initialized."""
        init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}
        reply = await self.post(init)
        answer(reply, 0)
        self.headers |= {"mcp-session-id": reply.headers["mcp-session-id"], "mcp-protocol-version": VERSION}
        done = await self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        if done.status != 202:
            raise BenchError(f"notifications/initialized got HTTP {done.status}")

    async def close(self) -> None:
        """DELETE the session and close the connection."""
        await self.connection.request("DELETE", self.path, headers=self.headers)
        await self.connection.close()


async def load(url: str, server: str, method: str, requests: int, concurrency: int) -> Load:
    """Open ``concurrency`` sessions (each warmed by 3 requests), then share ``requests`` among them."""
    workers = [Worker(url) for _ in range(concurrency)]
    await asyncio.gather(*(worker.open() for worker in workers))
    for worker in workers:
        for ident in range(1, 4):
            answer(await worker.post(request_body(method, server, ident)), ident)
    remaining = [requests]
    latencies: list[float] = []

    async def run(worker: Worker) -> None:
        ident = 10
        while remaining[0] > 0:
            remaining[0] -= 1
            ident += 1
            started = time.perf_counter()
            answer(await worker.post(request_body(method, server, ident)), ident)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(run(worker) for worker in workers))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(worker.close() for worker in workers), return_exceptions=True)
    return Load(requests / elapsed, latencies)


def main() -> None:
    cli = parser(__doc__, repeat=3)
    cli.add_argument("--requests", type=int, default=2000, help="requests per measured phase (default 2000)")
    cli.add_argument("--concurrency", type=int, default=16, help="concurrent sessions (default 16)")
    cli.add_argument("--method", choices=("call", "list", "ping"), default="call")
    args = cli.parse_args()
    requests = 160 if args.quick else args.requests
    count = repetitions(args)
    servers = {"reference": reference_http_argv("--env", "conformance"),
               "bare SDK": [PY, ADD_SERVER, "--transport", "http", "--port", "{port}"]}
    results: dict[str, list[Load]] = {name: [] for name in servers}
    with scratch_dir("rps") as tmp:
        for index in range(count):
            for name in list(servers) if index % 2 == 0 else list(servers)[::-1]:
                with http_server(servers[name], cwd=tmp) as (base, _):
                    measured = asyncio.run(load(f"{base}/mcp", name, args.method, requests, args.concurrency))
                results[name].append(measured)
                print(f"  #{index + 1} {name}: {measured.rps:.0f} req/s, p50 {measured.percentile(50):.1f} ms, "
                      f"p99 {measured.percentile(99):.1f} ms", flush=True)
    report(f"reference server vs bare SDK server: {args.method}, {requests} requests at concurrency "
           f"{args.concurrency}", figures(results), args)


def figures(results: dict[str, list[Load]]) -> list[Figure]:
    """requests/s (judged), p50 and p99 latency (medians over repetitions)."""
    ours, base = results["reference"], results["bare SDK"]
    return [
        judged("requests/s", median([r.rps for r in ours]), median([r.rps for r in base]), "req/s", at_least=0.8),
        judged("p50 latency", median([r.percentile(50) for r in ours]), median([r.percentile(50) for r in base]), "ms"),
        judged("p99 latency", median([r.percentile(99) for r in ours]), median([r.percentile(99) for r in base]), "ms"),
    ]


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"benchmark failed: {exc}")
