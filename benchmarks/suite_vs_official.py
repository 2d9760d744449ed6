"""mcptest's suite against the official conformance suite on the same running HTTP server, in the same run.

    python benchmarks/suite_vs_official.py [--repeat 3] [--quick] [--ours-args "--mcp-fuzz-examples 0"]

One reference server (``python -m reference_server --transport http --env conformance``) is started once and
serves both: ``mcptest check URL --timeout 30 --json FILE`` and ``node $MCPTEST_CONFORMANCE server --url URL
--suite all`` (0.1.16), alternating which goes first. Checks executed: ours are the findings that are not n/a;
theirs are the entries of every ``<scenario>/checks.json`` that are not INFO (INFO entries trace the traffic,
e.g. "Sending POST"). Targets: our wall time <= 1.0x theirs while executing >= 3x as many checks.
``--quick`` runs one repetition of a single area (ours: ``-k BASE-01``; theirs: ``--scenario ping``).
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections import Counter
from pathlib import Path

from _common import (MCPTEST, SUITE_TIMEOUT, BenchError, Figure, Timing, http_server, judged, median, parser,
                     reference_http_argv, repetitions, report, run_timed, scratch_dir, spread)

TIMEOUT = 900.0


def ours(url: str, out: Path, extra: list[str]) -> tuple[Timing, Counter[str]]:
    """``mcptest check URL --json out``: its timing and the outcome counts of its findings."""
    timing = run_timed([*MCPTEST, "check", url, "--timeout", SUITE_TIMEOUT, "--json", str(out), *extra],
                       timeout=TIMEOUT)
    if not out.exists():
        raise BenchError(f"mcptest check wrote no JSON report (exit {timing.returncode}):\n{timing.stdout[-2000:]}")
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    return timing, Counter(f["outcome"] for f in findings)


def theirs(node: str, suite: str, url: str, results: Path, extra: list[str]) -> tuple[Timing, Counter[str]]:
    """The official suite with ``-o results``: its timing and the status counts of every check it wrote."""
    command = [node, suite, "server", "--url", url, "-o", str(results), *extra]
    timing = run_timed(command, timeout=TIMEOUT)
    statuses: Counter[str] = Counter()
    for path in results.glob("*/checks.json"):
        statuses.update(item["status"] for item in json.loads(path.read_text(encoding="utf-8")))
    if not statuses:
        raise BenchError(f"the official suite wrote no checks.json (exit {timing.returncode}):\n"
                         f"{timing.stdout[-2000:]}")
    return timing, statuses


def main() -> None:
    cli = parser(__doc__, repeat=3)
    cli.add_argument("--ours-args", default="", help="extra arguments for mcptest check (pytest options pass through)")
    args = cli.parse_args()
    node, suite = os.environ.get("MCPTEST_NODE"), os.environ.get("MCPTEST_CONFORMANCE")
    if not (node and suite):
        raise SystemExit("MCPTEST_NODE and MCPTEST_CONFORMANCE are not set: run `source /work/ci_env.sh` "
                         '(or eval "$(bash .ci/node.sh)") first')
    our_extra = shlex.split(args.ours_args) + (["-k", "BASE-01"] if args.quick else [])
    their_extra = ["--scenario", "ping"] if args.quick else ["--suite", "all"]
    count = repetitions(args)
    mine: list[tuple[Timing, Counter[str]]] = []
    official: list[tuple[Timing, Counter[str]]] = []
    with scratch_dir("official") as tmp, http_server(reference_http_argv("--env", "conformance"), cwd=tmp) as (base, _):
        url = f"{base}/mcp"
        print(f"server: {url} (reference server, --env conformance); {count} repetition(s)", flush=True)
        for index in range(count):
            for who in ("ours", "official") if index % 2 == 0 else ("official", "ours"):  # alternate for drift
                if who == "ours":
                    mine.append(ours(url, tmp / f"ours-{index}.json", our_extra))
                else:
                    official.append(theirs(node, suite, url, tmp / f"official-{index}", their_extra))
            print(f"  #{index + 1}: mcptest {mine[-1][0].wall:.1f} s wall, {mine[-1][0].cpu:.1f} s cpu; "
                  f"official {official[-1][0].wall:.1f} s wall, {official[-1][0].cpu:.1f} s cpu", flush=True)
    figures, lines = summarize(mine, official, args.quick)
    report("mcptest check vs the official conformance suite (same HTTP server)", figures, args, lines=lines)


def summarize(mine: list[tuple[Timing, Counter[str]]], official: list[tuple[Timing, Counter[str]]],
              quick: bool) -> tuple[list[Figure], list[str]]:
    """The figures (medians) and a line per suite with its outcome counts."""
    our_wall, their_wall = [t.wall for t, _ in mine], [t.wall for t, _ in official]
    our_cpu, their_cpu = [t.cpu for t, _ in mine], [t.cpu for t, _ in official]
    our_counts, their_counts = mine[-1][1], official[-1][1]
    executed = sum(n for outcome, n in our_counts.items() if outcome != "n/a")
    their_checks = sum(n for status, n in their_counts.items() if status != "INFO")
    scope = " (quick: one area each)" if quick else ""
    figures = [
        judged("wall time" + scope, median(our_wall), median(their_wall), "s", at_most=1.0),
        judged("cpu time (children included)", median(our_cpu), median(their_cpu), "s"),
        judged("checks executed", executed, their_checks, "checks", at_least=3.0),
        judged("wall time per executed check", median(our_wall) / max(executed, 1),
               median(their_wall) / max(their_checks, 1), "s"),
    ]
    lines = [f"mcptest  wall {spread(our_wall)} s over runs; outcomes {dict(sorted(our_counts.items()))}",
             f"official wall {spread(their_wall)} s over runs; statuses {dict(sorted(their_counts.items()))}"]
    return figures, lines


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"benchmark failed: {exc}")
