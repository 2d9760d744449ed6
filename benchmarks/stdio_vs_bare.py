"""``mcptest check`` on a stdio server against a bare initialize + tools/list of a fresh process of it, same run.

    python benchmarks/stdio_vs_bare.py [--repeat 3] [--quick] [--without-fuzz] [--server "python -m reference_server"]

The baseline is ``benchmarks/_bare_client.py``: raw JSON-RPC lines, no SDK, one process start, ``initialize``,
every page of ``tools/list``, stdin closed. It is the least any tester must do. Target: mcptest <= 4x it.
``--without-fuzz`` also times the suite with ``--mcp-fuzz-examples 0`` (what fuzzing adds; this replaces the
former suite_wall_time.py).
``--quick`` runs one repetition with ``-k BASE-01``.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from _common import (BARE_CLIENT, MCPTEST, PY, REFERENCE_STDIO, SUITE_TIMEOUT, BenchError, Timing, alternate, judged,
                     median, parser,
                     repetitions, report, run_timed, scratch_dir, spread)

TIMEOUT = 900.0


def bare(server: str, cwd: Path) -> Timing:
    """One run of the bare client against a fresh ``server`` process."""
    timing = run_timed([PY, BARE_CLIENT, "--", *shlex.split(server)], timeout=120.0, cwd=cwd, ok_codes=(0,))
    json.loads(timing.stdout)  # the tools were listed: {"tools": N, "pages": P}
    return timing


def check(server: str, cwd: Path, extra: list[str], out: Path | None = None) -> Timing:
    """One ``mcptest check SERVER`` (``--json out`` when given)."""
    report_args = ["--json", str(out)] if out else []
    return run_timed([*MCPTEST, "check", server, "--timeout", SUITE_TIMEOUT, *report_args, *extra], timeout=TIMEOUT,
                     cwd=cwd)


def main() -> None:
    cli = parser(__doc__, repeat=3)
    cli.add_argument("--server", default=REFERENCE_STDIO, help="the stdio server command")
    cli.add_argument("--ours-args", default="", help="extra arguments for mcptest check")
    cli.add_argument("--without-fuzz", action="store_true", help="also time the suite with --mcp-fuzz-examples 0")
    args = cli.parse_args()
    extra = shlex.split(args.ours_args) + (["-k", "BASE-01"] if args.quick else [])
    count = repetitions(args)
    with scratch_dir("stdio") as tmp:
        print(f"server: {args.server}; {count} repetition(s)", flush=True)
        runs = {"bare initialize + tools/list": lambda _: bare(args.server, tmp),
                "mcptest check": lambda i: check(args.server, tmp, extra, tmp / f"ours-{i}.json")}
        if args.without_fuzz:
            runs["mcptest check --mcp-fuzz-examples 0"] = lambda _: check(args.server, tmp,
                                                                          [*extra, "--mcp-fuzz-examples", "0"])
        timings = alternate(count, runs)
        baseline, ours = timings["bare initialize + tools/list"], timings["mcptest check"]
        plain = timings.get("mcptest check --mcp-fuzz-examples 0", [])
        findings = json.loads((tmp / f"ours-{count - 1}.json").read_text(encoding="utf-8"))["findings"]
    executed = sum(f["outcome"] != "n/a" for f in findings)
    tools = json.loads(baseline[-1].stdout)["tools"]
    figures = [
        judged("wall time", median([t.wall for t in ours]), median([t.wall for t in baseline]), "s", at_most=4.0),
        judged("cpu time (children included)", median([t.cpu for t in ours]), median([t.cpu for t in baseline]), "s"),
    ]
    if plain:
        figures.append(judged("wall time without fuzzing", median([t.wall for t in plain]),
                              median([t.wall for t in baseline]), "s", at_most=4.0))
    lines = [f"mcptest executed {executed} checks (not n/a) on {tools} tools; wall {spread([t.wall for t in ours])} s",
             f"bare client wall {spread([t.wall for t in baseline])} s"]
    report(f"mcptest check vs bare initialize + tools/list ({args.server})", figures, args, lines=lines)


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"benchmark failed: {exc}")
