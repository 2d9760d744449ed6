"""Fuzz throughput over stdio on one simple tool, as a ratio against plain tool calls in the same run.

    python benchmarks/fuzz_throughput.py [--examples 200] [--server "python fixtures/servers/clean_raw.py"]

Baseline: the same tool called in a loop with fixed arguments on the same kind of connection. The ratio
says what Hypothesis generation, validation and result checking cost on top of the calls themselves.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mcptest.fuzz.runner import fuzz_tool  # noqa: E402
from mcptest.runner import SuiteRun  # noqa: E402
from mcptest.settings import Settings  # noqa: E402

DEFAULT_SERVER = f"{sys.executable} {Path(__file__).resolve().parent.parent / 'fixtures' / 'servers' / 'clean_raw.py'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--tool", default="echo")
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args()
    run = SuiteRun.start(Settings(server=args.server, seed=1))
    if run.ctx is None:
        raise SystemExit(f"could not start {args.server}: {run.error}")
    try:
        tool = next(t for t in run.surface.items("tools") if t.get("name") == args.tool)
        wire = run.ctx.wire()
        fixed = {"text": "mcptest"} if args.tool == "echo" else {}
        started = time.perf_counter()
        for _ in range(args.examples):
            wire.request("tools/call", {"name": args.tool, "arguments": fixed})
        plain = args.examples / (time.perf_counter() - started)
        failure, stats = fuzz_tool(run.ctx, tool, "valid", examples=args.examples, seed=1)
        fuzzed = stats.calls / stats.seconds
        _, invalid = fuzz_tool(run.ctx, tool, "invalid", examples=args.examples, seed=1)
        mutated = invalid.calls / invalid.seconds
    finally:
        run.close()
    print(f"server: {args.server}  tool: {args.tool}  examples: {args.examples}")
    print(f"baseline  plain tools/call loop : {plain:8.1f} calls/s")
    print(f"fuzz      valid arguments       : {fuzzed:8.1f} calls/s  ({stats.calls} calls, {fuzzed / plain:.2f}x baseline)")
    print(f"fuzz      invalid arguments     : {mutated:8.1f} calls/s  ({invalid.calls} calls, {mutated / plain:.2f}x baseline)")
    print(f"failure found: {failure is not None}")


if __name__ == "__main__":
    main()
