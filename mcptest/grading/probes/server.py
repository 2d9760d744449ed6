"""Probes of the server as a whole: the conformance suite, the module's tools, errors, configuration, logging."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mcptest.grading import plan
from mcptest.grading.context import GradingContext
from mcptest.grading.outcome import Miss, Skip
from mcptest.grading.probes import probe
from mcptest.grading.tools import call, find_record

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")
GENERIC = re.compile(r"Error executing tool [\w.-]+")
LOUD_LINE = re.compile(r"\b(DEBUG|INFO)\b|[\"'](?:level|levelname|severity)[\"']\s*:\s*[\"'](?:debug|info)[\"']",
                       re.IGNORECASE)


# -- the conformance suite ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SuiteOutcome:
    """What mcptest's conformance suite found (kept after its run is closed)."""

    findings: tuple[Any, ...]
    error: str | None


def run_suite(ctx: GradingContext, server: str, launch: str | None) -> SuiteOutcome:
    """Run the built-in conformance suite (fuzzing left out) against ``server``."""
    from mcptest.runner import run_all
    from mcptest.settings import Settings

    # fuzz_examples=0: the conformance checks only (fuzzing is not part of the rubric); the grading timeout,
    # because a busy machine is not a finding
    run = run_all(Settings(server=server, launch=launch, timeout=ctx.options.timeout, fuzz_examples=0))
    try:
        return SuiteOutcome(tuple(run.findings), run.error)
    finally:
        run.close()


def start_conformance(ctx: GradingContext) -> Any:
    """Start the suite against the submission in the background (it takes the longest of all items)."""
    if ctx.target is None:
        return None
    server, launch = ctx.conformance_command()
    return ctx.background("conformance", lambda: run_suite(ctx, server, launch))


def judge_suite(outcome: SuiteOutcome, what: str) -> None:
    """Miss when a MUST requirement of the negotiated protocol version fails (older versions' findings are notes)."""
    from mcptest.spec.requirements import requirement

    if outcome.error is not None:
        raise Miss(f"the conformance suite could not reach {what}: {outcome.error.splitlines()[0]}", outcome.error)

    def counts(finding: Any) -> bool:
        try:
            versions = requirement(finding.requirement).versions
        except KeyError:
            return True
        return not finding.version or not versions or finding.version in versions

    failed = [f for f in outcome.findings if f.outcome == "fail" and counts(f)]
    if failed:
        ids = sorted({f.requirement for f in failed})
        first = failed[0]
        where = f" on {first.item}" if first.item else ""
        raise Miss(f"{len(failed)} MUST finding(s) ({', '.join(ids)}); first: {first.requirement}{where}: "
                   f"{first.text} Got: {first.gist(140)}", "\n\n".join(f.render() for f in failed))


@probe("conformance")
def conformance(ctx: GradingContext) -> None:
    """mcptest's conformance suite finds no MUST violation at the server's negotiated protocol version."""
    future = start_conformance(ctx)
    if future is None:
        raise Skip("no server was given")
    judge_suite(future.result(), "the server")


conformance.prepare = start_conformance  # type: ignore[attr-defined]


# -- the module's tools ------------------------------------------------------------------------------------
@probe("tools-present")
def tools_present(ctx: GradingContext, tools: list[str]) -> None:
    """Every tool the module names is listed."""
    listed = ctx.server("main").tools
    missing = [name for name in tools if name not in listed]
    if missing:
        raise Miss(f"missing tool(s) {', '.join(missing)} (the server lists {', '.join(sorted(listed)) or 'none'})")


INVALID_CASES: tuple[tuple[str, dict[str, Any], tuple[str, ...], str], ...] = (
    ("create_user", {"name": "", "email": "ada@example.com"}, ("name",), "an empty name"),
    ("create_user", {"name": "Ada Lovelace", "email": "not-an-email"}, ("email",), "the email 'not-an-email'"),
    ("get_user", {"user_id": 987654}, ("987654", "not found", "no user", "does not exist", "unknown", "no such"),
     "a user id that does not exist (987654)"),
    ("execute_query", {"query": "SELEC name FROM users"}, ("syntax", "selec", "query", "sql", "statement"),
     "the misspelt statement 'SELEC name FROM users'"),
    ("api_request", {"service": "no-such-service", "method": "GET", "endpoint": "/status"},
     ("no-such-service", "unknown service", "not configured", "service"), "the unknown service 'no-such-service'"),
)


@probe("invalid-input")
def invalid_input(ctx: GradingContext) -> None:
    """Bad arguments get a tool error whose text names the problem; no traceback, and the server lives on."""
    server = ctx.server("main")
    problems: list[str] = []
    for tool, arguments, words, what in INVALID_CASES:
        outcome = call(server, tool, arguments)
        text = outcome.text or ""
        if not outcome.is_error:
            problems.append(f"{tool} with {what} succeeded instead of failing: {outcome.describe()}")
        elif TRACEBACK.search(text):
            problems.append(f"{tool} with {what} answered with a Python traceback: {outcome.describe()}")
        elif hidden_message(outcome):
            problems.append(f"{tool} with {what} failed with only {text.strip()!r}{HIDDEN}")
        elif not any(word in text.lower() for word in words):
            problems.append(f"{tool} with {what} failed without saying what was wrong: {outcome.describe()}")
    server.ping()
    if problems:
        raise Miss(problems[0], "\n".join(problems))


# -- configuration and logging ----------------------------------------------------------------------------
@probe("server-name")
def server_name(ctx: GradingContext) -> None:
    """``serverInfo.name`` is ``MCP_SERVER_NAME``."""
    ctx.require_configurable()
    name = ctx.server("main").server_name()
    if name != plan.SERVER_NAME:
        raise Miss(f"with MCP_SERVER_NAME={plan.SERVER_NAME} the server introduced itself as {name!r}")


def _exercise(ctx: GradingContext, key: str) -> None:
    server = ctx.server(key)
    call(server, "get_user", {"user_id": 987654})
    call(server, "health_check", {})


@probe("log-level")
def log_level(ctx: GradingContext) -> None:
    """At ``MCP_LOG_LEVEL=ERROR`` no DEBUG/INFO line reaches stderr; at ``DEBUG`` the server does log."""
    ctx.require_configurable()
    _exercise(ctx, "quiet")
    loud = [line for line in ctx.server("quiet").stderr_lines() if LOUD_LINE.search(line)]
    if loud:
        raise Miss(f"with MCP_LOG_LEVEL=ERROR the server still logged {len(loud)} DEBUG/INFO line(s), "
                   f"e.g. {loud[0][:160]!r}", "\n".join(loud[:20]))
    _exercise(ctx, "main")
    if not any(LOUD_LINE.search(line) for line in ctx.server("main").stderr_lines()):
        raise Miss("with MCP_LOG_LEVEL=DEBUG the server logged no DEBUG or INFO line on stderr while handling calls")


@probe("logs-on-stderr")
def logs_on_stderr(ctx: GradingContext) -> None:
    """Nothing but MCP messages on stdout (a stdio server's stdout is the protocol channel)."""
    ctx.require_configurable()
    _exercise(ctx, "main")
    call(ctx.server("main"), "create_user", {"name": "Stdout Probe", "email": "stdout.probe@example.com"})
    noise = ctx.server("main").noise
    if noise:
        raise Miss(f"the server wrote {len(noise)} line(s) that are not MCP messages to stdout, "
                   f"e.g. {noise[0][:160]!r}", "\n".join(noise[:20]))


HIDDEN = ": MCPServer shows the message of a ToolError but hides that of any other exception"


def hidden_message(outcome: Any) -> bool:
    """The error is MCPServer's bare ``Error executing tool X``: the tool raised something other than ToolError."""
    return bool(outcome.is_error and GENERIC.fullmatch((outcome.text or "").strip()))


def user_of(payload: Any) -> dict[str, Any] | None:
    """The user object in a create/get/update answer."""
    return find_record(payload, "email")
