"""Wall time of the built-in suite against one server, with and without fuzzing, in the same run.

    python benchmarks/suite_wall_time.py [--server "python -m mcp_server_time --local-timezone UTC"] [--repeat 2]

Baseline: the suite with --mcp-fuzz-examples 0. The ratio is what fuzzing (default examples) adds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

DEFAULT_SERVER = f"{sys.executable} -m mcp_server_time --local-timezone UTC"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, timeout=1800)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--launch", default=None)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mcp-server", args.server, "--mcp-seed", "1"]
    if args.launch:
        base += ["--mcp-launch", args.launch]
    without = [timed([*base, "--mcp-fuzz-examples", "0"]) for _ in range(args.repeat)]
    with_fuzz = [timed(base) for _ in range(args.repeat)]
    a, b = statistics.median(without), statistics.median(with_fuzz)
    print(f"server: {args.server}")
    print(f"suite without fuzzing (baseline): {a:6.1f} s (median of {args.repeat})")
    print(f"suite with fuzzing (25 examples): {b:6.1f} s  -> fuzzing adds {b - a:.1f} s ({b / a:.2f}x baseline)")


if __name__ == "__main__":
    main()
