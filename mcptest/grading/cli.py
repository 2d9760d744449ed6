"""``mcptest grade EXERCISE [TARGET] [--project DIR] [--json FILE]``: the grading subcommand (wired by mcptest.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_PASSED, EXIT_BELOW_PASS_MARK, EXIT_USAGE, EXIT_GRADING_ERROR = 0, 1, 2, 3


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    """Register ``grade`` on the ``mcptest`` subcommand parsers."""
    parser = subparsers.add_parser(
        "grade", help="grade a Module 4 exercise submission (see docs/grading.md)",
        description="Grade a course exercise: every rubric item is a black-box probe of the running server or of "
                    "the project's files. Exit code: 0 at or above the pass mark, 1 below it, 2 usage error, "
                    "3 grading error (a bug in mcptest).")
    parser.add_argument("exercise", help="exercise-1, exercise-2, exercise-3, or a rubric .yaml file")
    parser.add_argument("target", nargs="?", help='the server: "python server.py", or http://127.0.0.1:{port}/mcp '
                                                  "with --launch (not needed for exercise-3)")
    parser.add_argument("--project", metavar="DIR", help="the project folder (exercise-3's files; the server's "
                                                         "working directory)")
    parser.add_argument("--launch", metavar="CMD", help="for an http target: the command that starts the server "
                                                        "({port} = a free port)")
    parser.add_argument("--json", metavar="FILE", help="also write the result as JSON")
    parser.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                        help="seconds to wait for any one answer (default 20; bounds hangs only)")
    parser.add_argument("--db-url", metavar="URL", help="PostgreSQL server for the PostgreSQL items "
                                                        "(default: $MCPTEST_DB_URL; unset: those items are skipped)")
    parser.add_argument("--only", action="append", default=[], metavar="ITEM", help="grade only this item "
                                                                                    "(repeatable)")
    parser.add_argument("--list", action="store_true", help="print the rubric and exit")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``mcptest grade`` and return its exit code."""
    from rich.console import Console

    from mcptest.grading.context import GradeOptions
    from mcptest.grading.engine import GradingRun
    from mcptest.grading.report import render, render_rubric, write_json
    from mcptest.grading.rubric import RubricError, load_rubric
    from mcptest.launch.process import stop_all
    from mcptest.target import TargetError

    console = Console()
    try:
        rubric = load_rubric(args.exercise)
        if args.list:
            render_rubric(rubric, console)
            return EXIT_PASSED
        items = [rubric.item(item_id) for item_id in args.only] if args.only else list(rubric.items)
        project = Path(args.project).resolve() if args.project else None
        if project is not None and not project.is_dir():
            raise RubricError(f"--project {args.project}: not a folder")
        if rubric.subject == "project" and project is None:
            raise RubricError(f"{rubric.exercise} grades a project folder: give --project DIR")
        options = GradeOptions(timeout=args.timeout, project=project, launch=args.launch,
                               **({"db_url": args.db_url} if args.db_url else {}))
        grading = GradingRun(rubric, args.target, options)
    except (RubricError, TargetError, KeyError) as exc:
        print(f"mcptest grade: error: {str(exc).strip(chr(39))}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with console.status(f"grading {rubric.exercise}: starting") as status:
            grading.begin(items)
            for item in items:
                status.update(f"grading {rubric.exercise}: {item.id}")
                grading.run_item(item)
    finally:
        grading.close()
        stop_all()
    render(grading.report, console)
    if args.json:
        write_json(grading.report, args.json)
    if grading.report.errors:
        return EXIT_GRADING_ERROR
    return EXIT_PASSED if grading.report.passed else EXIT_BELOW_PASS_MARK
