"""Run one case and turn what happened into a Finding: pass, fail, warn, n/a, or error for mcptest's own bugs."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

from mcptest.checks.base import CheckContext
from mcptest.state import Lane, VersionState
from mcptest.discovery import DiscoveryError
from mcptest.findings import Finding, NotApplicable, Outcome, Violation, outcome_for
from mcptest.plan import Case
from mcptest.settings import Settings
from mcptest.spec.requirements import requirement
from mcptest.wire import RequestTimeout, WireError

ALIVE = "SERVER-ALIVE"



@dataclass(frozen=True)
class Provisional:
    """A case whose server died or went silent: it is re-run alone before anything is claimed."""

    kind: str  # "crash" or "silence"
    detail: str
    seconds: float
    sent: str = ""
    wire: int = 0
    violation: bool = False  # raised by the check as a transient Violation (its own finding if it recurs alone)
    recheck: object = None  # that Violation's recheck, handed to the re-run alone


def run_case(
    case: Case, state: VersionState, lane: Lane | None, settings: Settings, *, confirming: bool = False,
    recheck: object = None,
) -> Finding | Provisional:
    """Run ``case``'s check once on ``state`` (and ``lane`` for lane checks); ``confirming`` when it runs alone,
    then with the first run's ``recheck``."""
    ctx = CheckContext(state, lane, recheck)
    started = time.monotonic()
    try:
        if case.item is None:
            case.check.func(ctx)
        else:
            case.check.func(ctx, case.item)
    except NotApplicable as exc:
        return finding(case, state, settings, "n/a", reason=exc.reason, started=started, extra=_notes(ctx))
    except Violation as violation:
        if violation.transient and lane is None and not confirming:
            kind = "crash" if violation.transient == "crash" else "silence"
            return Provisional(kind, f"{violation.expected}: {violation.actual}", time.monotonic() - started,
                               violation.sent, violation=True, recheck=violation.recheck)
        return finding(case, state, settings, outcome_for(violation.level, settings.strict), violation=violation,
                       started=started, extra=_notes(ctx))
    except RequestTimeout as exc:
        state.drop_if_shared(exc.wire)
        return Provisional("silence", str(exc), time.monotonic() - started, exc.sent, id(exc.wire))
    except (WireError, DiscoveryError) as exc:
        return Provisional("crash", str(exc), time.monotonic() - started, wire=id(getattr(exc, "wire", None)))
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not end the run; it is reported as mcptest's
        trace = "".join(traceback.format_exception(exc)[-6:])
        reason = f"mcptest internal error in check {case.check.id}: {type(exc).__name__}: {exc}\n{trace}"
        return finding(case, state, settings, "error", reason=reason, started=started)
    return finding(case, state, settings, "pass", started=started, extra=_notes(ctx))


def _notes(ctx: CheckContext) -> dict[str, str]:
    return {"note": "; ".join(ctx.notes)} if ctx.notes else {}


def finding(
    case: Case, state: VersionState | None, settings: Settings, outcome: Outcome, *, violation: Violation | None = None,
    reason: str = "", started: float | None = None, req_id: str | None = None, extra: dict | None = None,
) -> Finding:
    """The Finding for ``case``: evidence from ``violation`` (if any), the requirement's sentence and URL,
    a reproducer."""
    req = violation.requirement if violation is not None else requirement(req_id or case.check.id)
    evidence: dict[str, str] = {}
    if violation is not None:
        by_hand = f"; by hand: {violation.reproduce}" if violation.reproduce else ""
        evidence = {"expected": violation.expected, "actual": violation.actual, "sent": violation.sent,
                    "details": violation.details, "reproduce": _reproduce(case, state) + by_hand}
    return Finding(
        check=case.check.id,
        requirement=req.id,
        level=req.level_at(case.version or None),
        outcome=outcome,
        version=case.version,
        item=case.item_key,
        target=settings.server or "",
        transport=state.handle.transport if state is not None else "",
        reason=reason,
        text=req.quote_at(case.version or None),
        url=req.url(case.version or None),
        seconds=round(time.monotonic() - started, 3) if started is not None else 0.0,
        extra=dict(extra or {}),
        **evidence,
    )


def _reproduce(case: Case, state: VersionState | None) -> str:
    if state is None:
        return ""
    return f"pytest {state.handle.reproduce_command()} --mcp-protocol={case.version} -k '{case.selector()}'"


def confirmed(
    case: Case, first: Provisional, again: Finding | Provisional, state: VersionState, settings: Settings,
    *, explained: bool = False,
) -> Finding:
    """The verdict after re-running a crashed or silent case alone on a fresh connection.

    A check's own transient violation that it raises again alone is its finding, confirmed. A crash or silence
    that happens again is the server's, at MUST (it stopped serving) or at the check's own
    level (the request went unanswered). One that does not happen again came from another check: a crash or a
    request stuck behind a hung one (``explained``) takes the re-run's verdict; an unexplained silence is
    reported at SHOULD (JSON-RPC 2.0: every request gets a response).
    """
    if isinstance(again, Finding):
        if first.violation and again.outcome in ("fail", "warn", "info"):
            confirmation = "confirmed alone: run again on a fresh connection with no other check in flight, it recurred"
            earlier = again.extra.get("note")
            return _with_extra(again, {"note": f"{earlier}; {confirmation}" if earlier else confirmation})
        if first.violation:
            note = {"note": f"a first run alongside other checks reported {first.detail.splitlines()[0][:200]}; "
                            "run alone, it did not happen again"}
            return _with_extra(again, note)
        if first.kind == "silence" and explained:
            note = {"note": f"{first.detail.splitlines()[0]}, queued behind a request that hung the same connection "
                            "(reported by its own check); run alone it was answered"}
            return _with_extra(again, note)
        if first.kind == "crash":
            note = {"note": f"the server died while this check ran alongside others ({first.detail.splitlines()[0]}); "
                            "run alone it did not, so another check's request caused it"}
            return _with_extra(again, note)
        if again.outcome not in ("pass", "n/a"):
            return again  # alone, the check confirmed a finding of its own (e.g. a hang it reported itself)
        violation = Violation(ALIVE, f"an answer within {settings.timeout:g} s",
                              f"{first.detail.splitlines()[0]} while other requests were in flight on the same "
                              f"connection; alone, on a fresh connection, the check's requests were answered "
                              f"(the server was slow or stuck on that one request)", sent=first.sent,
                              version=case.version)
        return finding(case, state, settings, outcome_for(violation.level, settings.strict), violation=violation)
    if again.kind == "crash":
        violation = Violation(ALIVE, f"an answer during check {case.check.id}"
                              + (f" on {case.item_key}" if case.item_key else ""), again.detail,
                              sent=again.sent, version=case.version)
        return finding(case, state, settings, outcome_for(violation.level, settings.strict), violation=violation)
    violation = Violation(case.check.id, f"an answer within {settings.timeout:g} s",
                          f"{again.detail} (it happened twice, the second time alone on a fresh connection; raise "
                          f"--mcp-timeout if the server is only slow)", sent=again.sent, version=case.version)
    return finding(case, state, settings, outcome_for(violation.level, settings.strict), violation=violation)


def _with_extra(found: Finding, extra: dict) -> Finding:
    from dataclasses import replace

    return replace(found, extra={**found.extra, **extra})
