"""The ``mcptest`` command: check, fuzz, grade (through pytest, one engine), call, list and checks."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from mcptest.grading import cli as grading_cli
from mcptest.settings import Settings

EPILOG = "Exit codes are pytest's: 0 all passed, 1 some check failed, 2-4 usage or internal errors."


TARGET_HELP = ('the server: "python my_server.py", http://127.0.0.1:8000/mcp, sse+http://127.0.0.1:8000/sse, '
               "docker:IMAGE or py:package.module:attr")
XDIST_OPTIONS = ("-n", "--numprocesses", "--maxprocesses", "--dist", "-d", "--tx")
"""pytest-xdist's options: `mcptest check|fuzz` loads xdist only when one of them is given."""
SHARED = ("launch", "header", "timeout", "docker_port", "protocol", "concurrency", "progress_cap")
"""Options every subcommand that talks to a server takes; each is resolved like its --mcp-* twin (MCPTEST_* applies)."""


def _target_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help=TARGET_HELP)
    parser.add_argument("--launch", metavar="CMD",
                        help="command that starts an HTTP server first ({port} = a free port)")
    parser.add_argument("--header", action="append", default=None, metavar="'K: V'",
                        help="extra HTTP header (repeatable)")
    parser.add_argument("--timeout", metavar="SECONDS", help="seconds to wait for any answer (default 10)")
    parser.add_argument("--docker-port", metavar="PORT",
                        help="for docker:IMAGE, test the container over HTTP on this port")
    parser.add_argument("--protocol", metavar="auto|all|VERSION", help="protocol versions to use (default auto)")
    parser.add_argument("--concurrency", metavar="N", help="requests in flight at once on one connection (default 8)")
    parser.add_argument("--progress-cap", metavar="SECONDS", help="hard cap on a request that keeps reporting progress")


def resolved(args: argparse.Namespace, **cli: object) -> Settings:
    """The settings of a subcommand: its options > MCPTEST_* environment > defaults (the same resolver as pytest's).

    Raises:
        SettingsError: an option has a bad value (the message names it and what is valid).
    """
    from mcptest.settings import resolve

    values = {name: getattr(args, name, None) for name in SHARED}
    values.update(server=args.target, **cli)
    return resolve(values, {})


def _suite_args(parser: argparse.ArgumentParser) -> None:
    _target_args(parser)
    parser.add_argument("--strict", action="store_true", help="SHOULD-level findings fail too")
    parser.add_argument("--json", metavar="FILE", help="write the findings as JSON")
    parser.add_argument("--html", metavar="FILE", help="write the findings as HTML")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--sarif", metavar="FILE", help="write the findings as SARIF 2.1.0 (GitHub code scanning)")
    parser.add_argument("--baseline", metavar="FILE", help="accepted findings (YAML): listed ones do not fail the run")
    parser.add_argument("-k", metavar="EXPR", help="only run checks matching this pytest -k expression (e.g. TOOL-05)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="mcptest",
        description="Test MCP servers against the spec. check/fuzz pass unknown options on to pytest, which loads "
                    "no plugin but mcptest's (and pytest-xdist for -n): add -p NAME for another.",
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _suite_args(sub.add_parser("check", help="run the conformance suite against a server"))
    fuzz = sub.add_parser("fuzz", help="fuzz every tool's inputSchema with Hypothesis")
    _suite_args(fuzz)
    fuzz.add_argument("--tool", action="append", default=[], metavar="NAME", help="only fuzz this tool (repeatable)")
    fuzz.add_argument("--examples", type=int, metavar="N", help="examples per tool")
    fuzz.add_argument("--seed", type=int, metavar="N", help="seed for reproducible runs")
    call = sub.add_parser("call", help="call one tool and print the raw result")
    _target_args(call)
    call.add_argument("tool", help="the tool name")
    call.add_argument("arguments", nargs="?", default="{}", help="the arguments as a JSON object (default {})")
    _target_args(sub.add_parser("list", help="list a server's tools, resources, templates and prompts"))
    baseline_help = "print a baseline that accepts every current finding (> mcp-baseline.yaml)"
    _target_args(sub.add_parser("baseline", help=baseline_help))
    checks = sub.add_parser("checks",
                            help="list every check with its requirement, the spec's sentence, level and section")
    checks.add_argument("--markdown", action="store_true",
                        help="print every requirement as Markdown (docs/requirements.md)")
    grading_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mcptest`` script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("check", "fuzz"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.pytest_args = [a for a in extra if a != "--"]
    if args.command in ("check", "fuzz"):
        return _run_suite(args)
    if args.command == "grade":
        # pytest imports the engine itself (importing it here first would defeat assertion rewriting)
        return grading_cli.run(args)
    from mcptest.discovery import DiscoveryError
    from mcptest.launch.process import LaunchError, stop_all
    from mcptest.session import SessionError
    from mcptest.settings import SettingsError
    from mcptest.target import TargetError
    from mcptest.wire import WireError

    try:
        if args.command == "call":
            return _call(args)
        if args.command == "list":
            return _list(args)
        if args.command == "baseline":
            return _baseline(args)
        return _checks(args.markdown)
    except BrokenPipeError:  # the output was piped into something that stopped reading (| head): not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except WireError as exc:  # the server died or went silent during the command: that is its failure
        print(f"mcptest: the server failed: {exc}", file=sys.stderr)
        return 1
    except (LaunchError, TargetError, DiscoveryError, SessionError, SettingsError, ValueError) as exc:
        print(f"mcptest: error: {exc}", file=sys.stderr)
        return 4
    finally:
        stop_all()


def _run_suite(args: argparse.Namespace) -> int:
    from pathlib import Path

    import pytest

    import mcptest.suite

    suite_dir = Path(mcptest.suite.__file__).parent

    # --mcp-server=VALUE as one word: a separate path word would move pytest's rootdir (see mcptest.rootdir)
    command = [str(suite_dir), f"--mcp-server={args.target}", "-q"]
    command += ["-c", str(suite_dir / "cli.ini"), "--rootdir", str(suite_dir), "-p", "no:cacheprovider"]
    command += _plugins(args.pytest_args)
    for name in SHARED:
        value = getattr(args, name, None)
        for one in (value if isinstance(value, list) else [value] if value is not None else []):
            command.append(f"--mcp-{name.replace('_', '-')}={one}")
    if args.strict:
        command.append("--mcp-strict")
    if args.json:
        command += ["--mcp-report-json", args.json]
    if args.html:
        command += ["--mcp-report-html", args.html]
    if args.junit:
        command += ["--junitxml", args.junit]
    if args.sarif:
        command += ["--mcp-report-sarif", args.sarif]
    if args.baseline:
        command += ["--mcp-baseline", args.baseline]
    selection = [args.k] if args.k else []
    if args.command == "fuzz":
        selection.append("fuzz")
        for tool in args.tool:
            command += ["--mcp-tools", tool]
        if args.examples is not None:
            command += ["--mcp-fuzz-examples", str(args.examples)]
        if args.seed is not None:
            command += ["--mcp-seed", str(args.seed)]
    if selection:
        command += ["-k", " and ".join(f"({s})" for s in selection)]
    from mcptest.rootdir import invoked_from

    with invoked_from(suite_dir) as back_home:  # test ids relative to the suite: test_jsonrpc.py::test_jsonrpc[BASE-07]
        return int(pytest.main(command + args.pytest_args, plugins=[back_home]))


def _plugins(pytest_args: list[str]) -> list[str]:
    """pytest options that load mcptest's plugin and only what the built-in suite needs.

    The environment's other pytest plugins (asyncio, anyio, respx, Hypothesis') add imports and hooks around each
    of the suite's items (13 % of a 1000-tool run); none of them serves the suite. ``-p NAME`` loads one anyway.
    """
    command = ["--disable-plugin-autoload", "-p", "mcptest.plugin"]
    # -n N, -nN, -nauto, --numprocesses=N, ...: pytest itself has no short option starting with -n
    if any(arg.startswith("-n") or arg.split("=")[0] in XDIST_OPTIONS for arg in pytest_args):
        command += ["-p", "xdist.plugin"]
    return command


def _open(args: argparse.Namespace) -> tuple[Any, Any]:
    """Start the target, cover its versions as the suite would, and give the newest covered version's state."""
    from mcptest.connect import ServerHandle, target_from_settings
    from mcptest.coverage import cover
    from mcptest.discovery import DiscoveryError

    settings = resolved(args)
    handle = ServerHandle(target_from_settings(settings), settings)
    try:
        handle.start()
        coverage = cover(handle, settings.protocol)
    except BaseException:
        handle.close()
        raise
    error = coverage.error()
    if error is not None:
        handle.close()
        raise DiscoveryError(error)
    coverage.close()
    return handle, coverage.states[coverage.versions[-1]]


def _call(args: argparse.Namespace) -> int:
    try:
        arguments = json.loads(args.arguments)
    except ValueError as exc:
        raise ValueError(f"arguments must be a JSON object, e.g. '{{\"a\": 1}}': {exc}") from None
    if not isinstance(arguments, dict):
        raise ValueError(f"arguments must be a JSON object, got {type(arguments).__name__}")
    handle, state = _open(args)
    try:
        reply = state.shared.request("tools/call", {"name": args.tool, "arguments": arguments})
    finally:
        handle.close()
    print(json.dumps(reply.response, indent=2, ensure_ascii=False))
    failed = not reply.ok or (isinstance(reply.result, dict) and reply.result.get("isError") is True)
    return 1 if failed else 0


def _list(args: argparse.Namespace) -> int:
    handle, state = _open(args)
    surface = state.surface
    try:
        info = surface.server_info
        print(f"{info.get('name')} {info.get('version')} (protocol {surface.version}, {surface.era} era)")
        for kind, listing in surface.listings.items():
            print(f"{kind} ({len(listing.items)}):" + (f" error {listing.error}" if listing.error else ""))
            for item in listing.items:
                name = item.get("name") if kind in ("tools", "prompts") else item.get("uri", item.get("uriTemplate"))
                description = str(item.get("description") or "").splitlines()
                print(f"  {name}  {description[0][:80] if description else ''}")
    finally:
        handle.close()
    return 0


def _baseline(args: argparse.Namespace) -> int:
    from mcptest.report.baseline import dump_baseline
    from mcptest.runner import run_all

    run = run_all(resolved(args))
    try:
        if run.error:
            print(f"mcptest: error: the server could not be started: {run.error}", file=sys.stderr)
            return 4
        sys.stdout.write(dump_baseline(run.findings, args.target))
    finally:
        run.close()
    problems = sum(f.outcome in ("fail", "warn") for f in run.findings)
    print(f"mcptest: {problems} finding(s) of {len(run.findings)} checks written as baseline entries", file=sys.stderr)
    return 0


def _checks(markdown: bool = False) -> int:
    from mcptest.checks import CHECKS
    from mcptest.spec.describe import describe, requirements_markdown

    if markdown:
        sys.stdout.write(requirements_markdown())
        return 0
    for check in CHECKS:
        scope = "" if check.scope == "server" else f" (per {check.scope})"
        print(f"{check.id:<10} {check.area:<10} {check.title}{scope}")
        print("    " + describe(check.requirement).replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
