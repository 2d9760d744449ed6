"""Run every benchmark one after another and print one summary table (figure, ours, baseline, ratio, target, met).

    python benchmarks/run_all.py [--quick] [--repeat N] [--only suite_vs_official many_tools ...] [--json-out FILE]

Each script runs as its own process (so peak-RSS and child CPU figures stay separate) with ``--json-out``; a script
that fails is reported in the table and the others still run. Needs ``source /work/ci_env.sh`` (or the
MCPTEST_NODE / MCPTEST_CONFORMANCE variables) for suite_vs_official. The exit code is 0 when every script ran.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import PY, Figure, format_table, machine

HERE = Path(__file__).resolve().parent
SCRIPTS = ("suite_vs_official", "stdio_vs_bare", "many_tools", "xdist_vs_serial", "session_vs_client",
           "refserver_rps", "peak_rss")
SCRIPT_TIMEOUT = 1800.0


def run(name: str, options: list[str], out: Path) -> tuple[list[Figure], str | None, float]:
    """Run one script; its figures, an error (or None) and its wall time."""
    started = time.perf_counter()
    try:
        done = subprocess.run([PY, str(HERE / f"{name}.py"), *options, "--json-out", str(out)],
                              timeout=SCRIPT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return [], f"did not finish within {SCRIPT_TIMEOUT:g} s", time.perf_counter() - started
    wall = time.perf_counter() - started
    if done.returncode != 0 or not out.exists():
        return [], f"exited with code {done.returncode}", wall
    payload = json.loads(out.read_text(encoding="utf-8"))
    fields = {"name", "ours", "baseline", "unit", "target", "met", "note"}
    return [Figure(**{k: v for k, v in f.items() if k in fields}) for f in payload["figures"]], None, wall


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--quick", action="store_true", help="pass --quick to every script (a smoke test)")
    cli.add_argument("--repeat", type=int, metavar="N", help="pass --repeat N to every script")
    cli.add_argument("--only", nargs="+", choices=SCRIPTS, metavar="NAME", help=f"a subset of: {', '.join(SCRIPTS)}")
    cli.add_argument("--json-out", metavar="FILE", help="write every figure as JSON")
    args = cli.parse_args()
    options = (["--quick"] if args.quick else []) + (["--repeat", str(args.repeat)] if args.repeat else [])
    rows: list[Figure] = []
    errors: list[str] = []
    summary: dict[str, object] = {"machine": machine(), "quick": args.quick, "scripts": {}}
    with tempfile.TemporaryDirectory(prefix="mcptest-bench-all-") as tmp:
        for name in args.only or SCRIPTS:
            print(f"\n##### {name} {' '.join(options)}", flush=True)
            figures, error, wall = run(name, options, Path(tmp) / f"{name}.json")
            rows += [Figure(f"{name}: {f.name}", f.ours, f.baseline, f.unit, f.target, f.met, f.note) for f in figures]
            if error:
                errors.append(f"{name}: {error}")
            scripts: dict[str, Any] = summary["scripts"]  # type: ignore[assignment]
            scripts[name] = {"wall": wall, "error": error, "figures": [vars(f) for f in figures]}
    print(f"\n===== summary ({machine()}) =====")
    print(format_table(rows))
    judged = [f for f in rows if f.met is not None]
    print("targets not judged (--quick)" if args.quick else
          f"targets met: {sum(bool(f.met) for f in judged)} of {len(judged)}")
    for error in errors:
        print(f"FAILED {error}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
