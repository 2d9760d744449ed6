"""How a learner sees a grade: a rich table (item, points, pass/miss, feedback) and the score; or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from mcptest.grading.outcome import GradeReport
from mcptest.grading.rubric import Rubric

STYLES = {"pass": "green", "miss": "red", "skip": "yellow", "error": "magenta"}


def render(report: GradeReport, console: Console) -> None:
    """Print the table and the score line."""
    rubric = report.rubric
    subject = report.target or report.project or ""
    if report.start_error:
        console.print(Panel(report.start_error, title="Your server did not start", border_style="red"))
        console.print(f"Score: [bold]0/{report.total}[/bold]: none of the {len(report.results)} items can be graded "
                      "until the server starts. Fix the error above and grade again.")
        return
    table = Table(title=f"{rubric.title}: {subject}", title_justify="left", show_lines=False, expand=False)
    table.add_column("Item", no_wrap=True)
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Feedback", overflow="fold")
    for result in report.results:
        style = STYLES[result.status]
        table.add_row(result.item.id, f"{result.points}/{result.item.points}",
                      f"[{style}]{result.status.upper()}[/{style}]", result.feedback)
    console.print(table)
    verdict = "[green]PASSED[/green]" if report.passed else "[red]NOT PASSED[/red]"
    console.print(f"Score: [bold]{report.score}/{report.total}[/bold] ({report.percent:.0f}%), pass mark "
                  f"{rubric.pass_mark:g}%: {verdict}. Graded in {report.seconds:.1f} s.")
    if report.skipped_points:
        console.print(f"[yellow]{report.skipped_points} points were not graded on this machine "
                      "(see SKIP above).[/yellow]")
    if report.errors:
        console.print(f"[magenta]{len(report.errors)} item(s) could not be graded because of a bug in mcptest; "
                      "please report it with the JSON output (--json).[/magenta]")


def render_rubric(rubric: Rubric, console: Console) -> None:
    """Print the rubric: every item with its points and requirement."""
    table = Table(title=f"{rubric.title} (pass mark {rubric.pass_mark:g}% of {rubric.total} points)",
                  title_justify="left")
    table.add_column("Item", no_wrap=True)
    table.add_column("Points", justify="right")
    table.add_column("Requirement", overflow="fold")
    for item in rubric.items:
        table.add_row(item.id, str(item.points), item.requirement)
    console.print(table)


def write_json(report: GradeReport, path: str | Path) -> Path:
    """Write the report as JSON; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
