"""Fuzz throughput on one tool of one server: mcptest's fuzzing vs a raw tools/call loop vs mcp-fuzzer.

    python benchmarks/fuzz_throughput.py [--examples 400] [--repeat 5] [--tool echo]
        [--server "python fixtures/servers/clean_raw.py"] [--mcp-fuzzer /path/to/mcp-fuzzer]

Each repetition measures, on the same tool of the same server (stdio):
- raw: ``tools/call`` in a loop with fixed arguments on mcptest's own wire (the ceiling for any fuzzer);
- mcptest valid / invalid: ``fuzz_tool`` with ``--examples`` distinct inputs (calls per second of wall time,
  Hypothesis drawing, validation and judging included);
- mcp-fuzzer (the PyPI package, ``--phase realistic``, i.e. valid-looking arguments), when its executable is
  given or on PATH: the rate between a 1-run and an N-run invocation, so its start-up is not counted.
It prints the median calls/s of each and the median of the per-repetition ratios (noise on a shared machine
moves both sides of a ratio together).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mcptest.checks.base import CheckContext  # noqa: E402
from mcptest.fuzz.runner import fuzz_tool  # noqa: E402
from mcptest.runner import SuiteRun  # noqa: E402
from mcptest.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = f"{sys.executable} {ROOT / 'fixtures' / 'servers' / 'clean_raw.py'}"


def context(run: SuiteRun) -> CheckContext:
    """A check context at the run's newest covered version (its shared wire, surface and settings)."""
    return CheckContext(run.coverage.states[run.versions[-1]])  # type: ignore[union-attr]


def raw_rate(ctx: CheckContext, tool: str, arguments: dict, count: int) -> float:
    """Calls per second of a plain tools/call loop on the run's shared wire."""
    wire = ctx.wire()
    started = time.perf_counter()
    for _ in range(count):
        reply = wire.request("tools/call", {"name": tool, "arguments": arguments})
        if not reply.ok:
            raise SystemExit(f"the baseline call failed: {json.dumps(reply.response)[:300]}")
    return count / (time.perf_counter() - started)


def fuzz_rate(ctx: CheckContext, tool: dict, mode: str, count: int, seed: int) -> float:
    """Calls per second of mcptest's fuzzing of ``tool`` in ``mode`` (no budget cut)."""
    failure, stats = fuzz_tool(ctx, tool, mode, examples=count, seed=seed, budget=3600.0)  # type: ignore[arg-type]
    if failure is not None:
        raise SystemExit(f"fuzzing found a failure, so the figure would not be throughput: {failure}")
    return stats.calls / stats.seconds


def mcp_fuzzer_rate(executable: str, server: str, tool: str, count: int) -> float:
    """Calls per second of mcp-fuzzer's realistic tool fuzzing, start-up excluded.

    The rate between a 1-run and a ``count``-run invocation, each timed by mcp-fuzzer itself (the
    ``execution_time`` of its results file), so interpreter start-up and imports on a busy machine do not
    enter the figure.
    """

    def seconds(runs: int) -> float:
        with tempfile.TemporaryDirectory() as out:
            command = [executable, "--mode", "tools", "--tool", tool, "--phase", "realistic", "--runs", str(runs),
                       "--protocol", "stdio", "--endpoint", server, "--no-network", "--output-dir", out]
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
            if f"Total Fuzzing Runs: {runs}" not in done.stdout:
                raise SystemExit(f"mcp-fuzzer did not report {runs} runs:\n{done.stdout[-2000:]}\n"
                                 f"{done.stderr[-2000:]}")
            results = next(Path(out).glob("sessions/*/*_fuzzing_results.json"))
            duration = json.loads(results.read_text())["metadata"]["execution_time"]
        match = re.fullmatch(r"PT(?:(\d+)M)?([\d.]+)S", duration)
        if match is None:
            raise SystemExit(f"mcp-fuzzer's execution_time {duration!r} is not a PTnS duration")
        return int(match.group(1) or 0) * 60 + float(match.group(2))

    return (count - 1) / max(seconds(count) - seconds(1), 1e-6)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--tool", default="echo")
    parser.add_argument("--arguments", default='{"text": "mcptest"}', help="fixed arguments of the raw loop (JSON)")
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=Settings.concurrency,
                        help="search calls in flight at once (--mcp-concurrency; 1 = strictly serial)")
    parser.add_argument("--mcp-fuzzer", default=shutil.which("mcp-fuzzer"), help="the mcp-fuzzer executable")
    args = parser.parse_args()
    fixed = json.loads(args.arguments)
    figures: dict[str, list[float]] = {"raw": [], "valid": [], "invalid": [], "mcp-fuzzer": []}
    run = SuiteRun.start(Settings(server=args.server, seed=1, concurrency=args.concurrency))
    if run.error is not None:
        raise SystemExit(f"could not start {args.server}: {run.error}")
    try:
        ctx = context(run)
        tool = next((t for t in ctx.surface.items("tools") if t.get("name") == args.tool), None)
        if tool is None:
            raise SystemExit(f"the server has no tool {args.tool!r}")
        fuzz_rate(ctx, tool, "valid", 20, seed=0)  # compile the strategies once, as a long run would
        for rep in range(args.repeat):
            figures["raw"].append(raw_rate(ctx, args.tool, fixed, args.examples))
            figures["valid"].append(fuzz_rate(ctx, tool, "valid", args.examples, seed=rep + 1))
            figures["invalid"].append(fuzz_rate(ctx, tool, "invalid", args.examples, seed=rep + 1))
            if args.mcp_fuzzer:
                figures["mcp-fuzzer"].append(mcp_fuzzer_rate(args.mcp_fuzzer, args.server, args.tool, args.examples))
    finally:
        run.close()
    report(args, figures)


def report(args: argparse.Namespace, figures: dict[str, list[float]]) -> None:
    """Print medians and per-repetition ratios."""
    print(f"server: {args.server}  tool: {args.tool}  examples: {args.examples}  repetitions: {args.repeat}  "
          f"concurrency: {args.concurrency}")
    labels = {"raw": "raw tools/call loop", "valid": "mcptest valid fuzzing", "invalid": "mcptest invalid fuzzing",
              "mcp-fuzzer": "mcp-fuzzer realistic"}
    for key, label in labels.items():
        if figures[key]:
            print(f"  {label:<26}: {statistics.median(figures[key]):8.1f} calls/s  "
                  f"(runs: {', '.join(f'{v:.0f}' for v in figures[key])})")
    if not figures["mcp-fuzzer"]:
        print("  mcp-fuzzer                : not measured (pass --mcp-fuzzer PATH or put it on PATH)")

    def ratio(top: str, bottom: str) -> str:
        pairs = [a / b for a, b in zip(figures[top], figures[bottom], strict=False)]
        return f"{statistics.median(pairs):.2f}x" if pairs else "n/a"

    print(f"  valid fuzzing / raw loop  : {ratio('valid', 'raw')}  (goal >= 0.5x)")
    print(f"  invalid fuzzing / raw loop: {ratio('invalid', 'raw')}")
    print(f"  valid fuzzing / mcp-fuzzer: {ratio('valid', 'mcp-fuzzer')}  (goal >= 2x)")


if __name__ == "__main__":
    main()
