"""Shared by the benchmark scripts: timed child processes, medians, servers on 127.0.0.1, figures and their report."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcptest.launch.process import ServerProcess  # noqa: E402
from mcptest.launch.wait import free_port, wait_until  # noqa: E402

PY = sys.executable
MCPTEST = [PY, "-m", "mcptest.cli"]
# Every suite run gets --timeout / --mcp-timeout 30: it only bounds hangs, and on this shared 2-core machine under
# load the reference server sometimes needs more than the default 10 s to answer its first initialize.
SUITE_TIMEOUT = "30"
REFERENCE_STDIO = f"{PY} -m reference_server"
BARE_CLIENT = str(Path(__file__).resolve().parent / "_bare_client.py")
QUIET_SERVER = {"MCP_LOG_LEVEL": "WARNING"}


class BenchError(RuntimeError):
    """A measurement could not be taken; the message says which command and why."""


@dataclass(frozen=True)
class Timing:
    """One timed child process: wall seconds, CPU seconds (user + system, its waited-for children included)."""

    wall: float
    cpu: float
    returncode: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)
    timed_out: bool = False


def run_timed(argv: Sequence[str], *, timeout: float, env: dict[str, str] | None = None,
              cwd: str | Path | None = None, ok_codes: tuple[int, ...] | None = (0, 1),
              cap: bool = False) -> Timing:
    """Run ``argv`` bounded by ``timeout``; its wall and CPU time.

    CPU comes from ``getrusage(RUSAGE_CHILDREN)`` before and after, so it counts the process and every
    descendant it waited for (the servers ``mcptest`` starts and stops). This process is a child subreaper,
    so anything the command leaves running is reparented here: it is reported on stderr and killed.
    ``ok_codes=None`` accepts any exit code. With ``cap=True`` the timeout is a cap: the command is
    killed and the Timing says ``timed_out``.

    Raises:
        BenchError: timeout (unless ``cap``), or an exit code outside ``ok_codes`` (with the output's tail).
    """
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=timeout)  # files, not pipes: a stray holding the output open cannot stall us
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_tree(proc.pid)
            proc.wait()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        strays = sweep_strays()
        out, err = _read(stdout), _read(stderr)
    if strays and not timed_out:
        print(f"warning: `{' '.join(argv)[:100]}` left {len(strays)} process(es) running; killed them: "
              + "; ".join(strays), file=sys.stderr)
    if timed_out and not cap:
        raise BenchError(f"`{' '.join(argv)}` did not finish within {timeout:g} s; output tail:\n{_tail(out, err)}")
    if not timed_out and ok_codes is not None and proc.returncode not in ok_codes:
        raise BenchError(f"`{' '.join(argv)}` exited with code {proc.returncode}; output tail:\n{_tail(out, err)}")
    return Timing(wall, _cpu(after) - _cpu(before), proc.returncode, out, err, timed_out)


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _read(file: IO[str]) -> str:
    file.seek(0)
    return file.read()


def _tail(out: str, err: str, chars: int = 3000) -> str:
    return (out + err)[-chars:]


def _become_subreaper() -> bool:
    """Make orphaned descendants reparent to this process (Linux ``PR_SET_CHILD_SUBREAPER``)."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


_PR_SET_CHILD_SUBREAPER = 36
SUBREAPER = _become_subreaper()
_OWNED: set[int] = set()  # servers this process keeps running on purpose (http_server)


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid``, its process group and every descendant, and reap them."""
    try:
        family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        family = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for member in family:
        with contextlib.suppress(psutil.Error):
            member.kill()
    psutil.wait_procs(family, timeout=5)


def sweep_strays() -> list[str]:
    """Kill every child of this process that is not a server it owns (orphans reparented here); what they were."""
    strays = [child for child in psutil.Process().children() if child.pid not in _OWNED]
    described = []
    for child in strays:
        with contextlib.suppress(psutil.Error):
            described.append(f"pid {child.pid} `{' '.join(child.cmdline())[:120]}`")
        _kill_tree(child.pid)
    return described


def median(values: Sequence[float]) -> float:
    """The median (the middle value of an odd count)."""
    return float(statistics.median(values))


def spread(values: Sequence[float]) -> str:
    """``min..max`` of the repetitions, for the printed figure."""
    return f"{min(values):.2f}..{max(values):.2f}" if len(values) > 1 else "-"


@contextlib.contextmanager
def http_server(
    argv: Sequence[str], *, ready_path: str = "/health", timeout: float = 60.0, env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
) -> Iterator[tuple[str, ServerProcess]]:
    """Start an HTTP server whose ``argv`` contains ``{port}``; yield ``(base_url, process)`` once it answers.

    Readiness is a bounded poll of ``GET base_url + ready_path`` (any HTTP status counts as up). The server
    is stopped at the end: SIGTERM to its process group (uvicorn exits on it), then mcptest's full stop.
    """
    port = free_port()
    command = [arg.replace("{port}", str(port)) for arg in argv]
    server = ServerProcess(command, env={**QUIET_SERVER, **(env or {})}, cwd=str(cwd) if cwd else None,
                           read_stdout=False)
    base = f"http://127.0.0.1:{port}"
    _OWNED.add(server.pid)
    try:
        why = wait_until(lambda: _answers(base + ready_path), timeout,
                         abort=lambda: None if server.alive else server.describe_exit())
        if why:
            raise BenchError(f"`{' '.join(command)}` did not answer on {base}{ready_path}: {why}"
                             f"{server.format_stderr()}")
        yield base, server
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(server.pid, signal.SIGTERM)
        server.stop()
        _OWNED.discard(server.pid)


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1.0, trust_env=False)
    except httpx.HTTPError:
        return False
    return True


def reference_http_argv(*extra: str) -> list[str]:
    """``python -m reference_server --transport http`` on 127.0.0.1 and a ``{port}`` placeholder."""
    return [PY, "-m", "reference_server", "--transport", "http", "--host", "127.0.0.1", "--port", "{port}", *extra]


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary working directory, removed afterwards (servers with file databases write there)."""
    with tempfile.TemporaryDirectory(prefix=f"mcptest-bench-{prefix}-") as path:
        yield Path(path)


@dataclass(frozen=True)
class Figure:
    """One measured comparison: ours against a baseline from the same run, and the target for their ratio."""

    name: str
    ours: float
    baseline: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """``ours / baseline`` (None without a baseline)."""
        if self.baseline in (None, 0):
            return None
        return self.ours / self.baseline


def judged(name: str, ours: float, baseline: float | None, unit: str, *, at_most: float | None = None,
           at_least: float | None = None, note: str = "") -> Figure:
    """A Figure whose target is a bound on ``ours / baseline`` (``at_most`` / ``at_least`` times the baseline)."""
    ratio = ours / baseline if baseline else None
    if at_most is not None:
        return Figure(name, ours, baseline, unit, f"<= {at_most:g}x", ratio is not None and ratio <= at_most, note)
    if at_least is not None:
        return Figure(name, ours, baseline, unit, f">= {at_least:g}x", ratio is not None and ratio >= at_least, note)
    return Figure(name, ours, baseline, unit, note=note)


def machine() -> str:
    """Cores, load and interpreter, printed above every result (the figures depend on them)."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    memory = psutil.virtual_memory().total / 2**30
    return (f"{os.cpu_count()} cores, {memory:.0f} GiB, load average {load}; Python {platform.python_version()} "
            f"on {platform.system()} {platform.release()}")


def parser(doc: str, *, repeat: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: ``--repeat N``, ``--quick``, ``--json-out FILE``."""
    result = argparse.ArgumentParser(description=doc.strip().splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(doc.strip().splitlines()[1:]))
    result.add_argument("--repeat", type=int, default=repeat, metavar="N",
                        help=f"repetitions; figures are medians (default {repeat})")
    result.add_argument("--quick", action="store_true", help="a smoke test: one small repetition")
    result.add_argument("--json-out", metavar="FILE", help="also write the figures as JSON (used by run_all.py)")
    return result


def repetitions(args: argparse.Namespace) -> int:
    """How many times to measure: 1 with ``--quick``, else ``--repeat`` (at least 1)."""
    return 1 if args.quick else max(1, args.repeat)


def report(title: str, figures: Sequence[Figure], args: argparse.Namespace, *, lines: Sequence[str] = ()) -> None:
    """Print the figures as a table (with ratio and target) and write them as JSON when ``--json-out`` is given.

    A ``--quick`` run measures a reduced workload, so its figures are printed but no target is judged.
    """
    if args.quick:
        figures = [dataclasses.replace(f, met=None) for f in figures]
        title += " [--quick smoke test: targets not judged]"
    print(f"\n== {title} ==  ({machine()})")
    for line in lines:
        print(line)
    print(format_table(figures))
    if args.json_out:
        payload = {"title": title, "machine": machine(), "quick": args.quick, "repeat": repetitions(args),
                   "figures": [{**asdict(f), "ratio": f.ratio} for f in figures], "lines": list(lines)}
        Path(args.json_out).write_text(json.dumps(payload, indent=2), encoding="utf-8")


def format_table(figures: Sequence[Figure]) -> str:
    """A fixed-width table: figure, ours, baseline, ratio, target, verdict."""
    rows = [("figure", "ours", "baseline", "ratio", "target", "met")]
    for f in figures:
        verdict = "-" if f.met is None else ("yes" if f.met else "NO")
        baseline = "-" if f.baseline is None else f"{f.baseline:.3g} {f.unit}"
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}x"
        rows.append((f.name + (f" ({f.note})" if f.note else ""), f"{f.ours:.3g} {f.unit}", baseline, ratio,
                     f.target or "-", verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def alternate(count: int, runs: dict[str, Callable[[int], Timing]]) -> dict[str, list[Timing]]:
    """Run every labelled measurement ``count`` times, interleaved and in rotating order (so load that drifts
    during the run hits each alike), printing each timing as it comes; the timings per label."""
    timings: dict[str, list[Timing]] = {label: [] for label in runs}
    labels = list(runs)
    for index in range(count):
        shift = index % len(labels)
        for label in labels[shift:] + labels[:shift]:
            timing = runs[label](index)
            print(f"  #{index + 1} {label}: wall {timing.wall:.2f} s, cpu {timing.cpu:.2f} s", flush=True)
            timings[label].append(timing)
    return timings
