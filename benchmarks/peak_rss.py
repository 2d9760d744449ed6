"""Peak memory (RSS) of a full ``mcptest check`` run, without and with its children, against a bare SDK client.

    python benchmarks/peak_rss.py [--repeat 3] [--quick] [--server "python -m reference_server"]

Each run is a fresh process (``--inner``) that runs the command in-process and then reports the kernel's
``ru_maxrss`` of itself (children excluded) and of its largest reaped child. While it runs, the process tree's
total RSS (it and every server it started, alive at once) is sampled every 20 ms; its maximum is the "children
included" figure (sampled: a spike shorter than 20 ms can be missed). Baseline: ``mcp.Client`` over stdio doing
``initialize`` + ``list_tools`` on the same server, measured the same way. No target; ``--quick`` uses ``-k BASE-01``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from _common import (PY, REFERENCE_STDIO, SUITE_TIMEOUT, BenchError, judged, median, parser, repetitions, report,
                     scratch_dir)

SAMPLE_EVERY = 0.02
TIMEOUT = 900.0


@dataclass(frozen=True)
class Peak:
    """Peak RSS in MiB: the process alone, its largest child, and the sampled whole tree."""

    own: float
    largest_child: float
    tree: float


def inner(kind: str, server: str, out: Path, extra: list[str]) -> None:
    """In the measured process: run ``mcptest check`` (kind ``ours``) or the SDK baseline, then write the peaks."""
    if kind == "ours":
        from mcptest.cli import main as mcptest_main

        code = mcptest_main(["check", server, "--timeout", SUITE_TIMEOUT, *extra])
        if code not in (0, 1):
            raise SystemExit(f"mcptest check exited with {code}")
    else:
        sdk_list_tools(server)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out.write_text(json.dumps({"own_kib": own.ru_maxrss, "child_kib": children.ru_maxrss}), encoding="utf-8")


def sdk_list_tools(server: str) -> None:
    """``mcp.Client`` over stdio: initialize and list the tools once."""
    import anyio
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    argv = shlex.split(server)

    async def run() -> None:
        transport = stdio_client(StdioServerParameters(command=argv[0], args=argv[1:]))
        async with Client(transport, mode="legacy", read_timeout_seconds=30.0) as client:
            tools = await client.list_tools()
            if not tools.tools:
                raise SystemExit("the server listed no tools")

    anyio.run(run)


def measured(kind: str, server: str, tmp: Path, extra: list[str]) -> Peak:
    """Run ``--inner kind`` in a fresh process, sampling its tree's RSS until it ends."""
    out = tmp / f"{kind}.json"
    out.unlink(missing_ok=True)
    command = [PY, __file__, "--inner", kind, "--server", server, "--inner-out", str(out), "--", *extra]
    proc = psutil.Popen(command, cwd=tmp, stdout=sys.stderr, stderr=sys.stderr)
    tree_peak, pause, deadline = 0, threading.Event(), time.monotonic() + TIMEOUT
    try:
        while proc.poll() is None:
            if time.monotonic() > deadline:
                raise BenchError(f"`{shlex.join(command)}` did not finish within {TIMEOUT:g} s")
            tree_peak = max(tree_peak, _tree_rss(proc))
            pause.wait(SAMPLE_EVERY)  # a sampling period, not a wait for readiness
    finally:
        if proc.poll() is None:
            for member in [*proc.children(recursive=True), proc]:
                member.kill()
            proc.wait(10)
    if proc.returncode != 0 or not out.exists():
        raise BenchError(f"`{shlex.join(command)}` exited with {proc.returncode} and wrote no figures")
    peaks = json.loads(out.read_text(encoding="utf-8"))
    return Peak(peaks["own_kib"] / 1024, peaks["child_kib"] / 1024, tree_peak / 2**20)


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue  # ended between listing and reading: it no longer holds memory
    return total


def main() -> None:
    cli = parser(__doc__, repeat=3)
    cli.add_argument("--server", default=REFERENCE_STDIO, help="the stdio server command")
    cli.add_argument("--inner", choices=("ours", "baseline"), help=argparse.SUPPRESS)
    cli.add_argument("--inner-out", type=Path, help=argparse.SUPPRESS)
    cli.add_argument("extra", nargs="*", help="extra arguments for mcptest check (after --)")
    args = cli.parse_args()
    if args.inner:
        inner(args.inner, args.server, args.inner_out, args.extra)
        return
    extra = [*args.extra, *(["-k", "BASE-01"] if args.quick else [])]
    count = repetitions(args)
    ours: list[Peak] = []
    base: list[Peak] = []
    with scratch_dir("rss") as tmp:
        for index in range(count):
            base.append(measured("baseline", args.server, tmp, []))
            ours.append(measured("ours", args.server, tmp, extra))
            print(f"  #{index + 1}: mcptest own {ours[-1].own:.0f} MiB, tree {ours[-1].tree:.0f} MiB; "
                  f"SDK client own {base[-1].own:.0f} MiB, tree {base[-1].tree:.0f} MiB", flush=True)
    figures = [
        judged("peak RSS, children excluded", median([p.own for p in ours]), median([p.own for p in base]), "MiB"),
        judged("peak RSS, children included (sampled tree sum)", median([p.tree for p in ours]),
               median([p.tree for p in base]), "MiB"),
        judged("largest single child (kernel ru_maxrss)", median([p.largest_child for p in ours]),
               median([p.largest_child for p in base]), "MiB"),
    ]
    report(f"peak RSS of mcptest check ({args.server}) vs SDK client initialize + list_tools", figures, args)


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"benchmark failed: {exc}")
