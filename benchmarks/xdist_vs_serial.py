"""The built-in suite under ``pytest -n 2`` (pytest-xdist) against the same suite serially, same server, same run.

    python benchmarks/xdist_vs_serial.py [--repeat 3] [--quick] [--server "python -m reference_server"] [--workers 2]

Both runs are ``pytest --mcp-server=SERVER --mcp-seed 1 --mcp-timeout 30`` from an empty directory (so the suite
is collected and no project configuration applies); they alternate which goes first. Target: -n 2 wall <= 0.65x serial.
``--quick`` runs one repetition with ``-k BASE-01``.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from _common import (PY, REFERENCE_STDIO, SUITE_TIMEOUT, BenchError, Timing, alternate, judged, median, parser,
                     repetitions, report, run_timed, scratch_dir, spread)

TIMEOUT = 900.0


def suite(server: str, cwd: Path, extra: list[str]) -> Timing:
    """One pytest run of the built-in suite against ``server``."""
    command = [PY, "-m", "pytest", f"--mcp-server={server}", "--mcp-seed", "1", "--mcp-timeout", SUITE_TIMEOUT, "-q",
               "-p", "no:cacheprovider", *extra]
    timing = run_timed(command, timeout=TIMEOUT, cwd=cwd)
    if not re.search(r"\d+ passed", timing.stdout):
        raise BenchError(f"no test passed in `{shlex.join(command)}`:\n{timing.stdout[-2000:]}{timing.stderr[-1000:]}")
    return timing


def outcome_line(timing: Timing) -> str:
    """pytest's last summary line (``N passed, M skipped in S s``)."""
    lines = [line for line in timing.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return lines[-1].strip("= ") if lines else "(no summary)"


def main() -> None:
    cli = parser(__doc__, repeat=3)
    cli.add_argument("--server", default=REFERENCE_STDIO)
    cli.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
    args = cli.parse_args()
    extra = ["-k", "BASE-01"] if args.quick else []
    count = repetitions(args)
    with scratch_dir("xdist") as tmp:
        print(f"server: {args.server}; {count} repetition(s); -n {args.workers}", flush=True)
        timings = alternate(count, {"serial": lambda _: suite(args.server, tmp, extra),
                                    f"-n {args.workers}": lambda _: suite(args.server, tmp,
                                                                          [*extra, "-n", str(args.workers)])})
    serial, parallel = timings["serial"], timings[f"-n {args.workers}"]
    figures = [
        judged(f"wall time, -n {args.workers}", median([t.wall for t in parallel]), median([t.wall for t in serial]),
               "s", at_most=0.65),
        judged(f"cpu time, -n {args.workers} (children included)", median([t.cpu for t in parallel]),
               median([t.cpu for t in serial]), "s"),
    ]
    lines = [f"serial: {outcome_line(serial[-1])}; wall {spread([t.wall for t in serial])} s",
             f"-n {args.workers}: {outcome_line(parallel[-1])}; wall {spread([t.wall for t in parallel])} s"]
    report(f"pytest -n {args.workers} vs serial ({args.server})", figures, args, lines=lines)


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"benchmark failed: {exc}")
