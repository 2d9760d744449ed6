"""One fuzz call and its verdict: valid arguments must get a tool result, invalid ones a rejection."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mcptest.fuzz.schema import UnsupportedSchema, schema_validator
from mcptest.serial import HYPOTHESIS
from mcptest.spec.requirements import requirement
from mcptest.spec.shapes import content_problems
from mcptest.wire import RequestTimeout, WireError
from mcptest.checks.calls import needs_input

if TYPE_CHECKING:
    from mcptest.checks.base import CheckContext
    from mcptest.wire import Reply, Wire
    from mcptest.wire.base import Call

Mode = Literal["valid", "invalid"]
SHRINK_HANG_FLOOR = 0.5


KIND_REQUIREMENT = {
    "crash": "FUZZ-01", "hang": "FUZZ-01", "accepted-invalid": "FUZZ-02", "protocol-error": "TOOL-13",
    "bad-result": "TOOL-05", "output-schema": "TOOL-06",
}
"""The requirement each kind of failure breaks: the server died or went silent (FUZZ-01, whichever arguments),
accepted invalid arguments (FUZZ-02), a JSON-RPC error for valid ones (TOOL-13: tool errors belong in the
result), a malformed result (TOOL-05), structured output not matching outputSchema (TOOL-06)."""


@dataclass(frozen=True)
class FuzzFailure:
    """A minimal input that breaks the property, and how.

    Attributes:
        tool: the tool's name.
        mode: ``valid`` or ``invalid`` arguments.
        kind: a key of ``KIND_REQUIREMENT``: crash, hang, accepted-invalid, protocol-error, bad-result, output-schema.
        arguments: the ``arguments`` object sent.
        detail: what came back, in a sentence.
        mutation: for invalid arguments, what was broken.
    """

    tool: str
    mode: Mode
    kind: str
    arguments: dict[str, Any]
    detail: str
    mutation: str = ""

    @property
    def requirement(self) -> str:
        """The requirement id this failure breaks."""
        return KIND_REQUIREMENT[self.kind]


class CallClock:
    """The bound on one call, and the slowest answer seen (shared by the search thread and the shrinker).

    While a known failure is shrunk, each call is bounded by a multiple of the slowest answered call, so
    every hanging shrink candidate costs seconds, not the full timeout (the shrunk input is re-verified
    against the full timeout afterwards).
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.shrinking = False
        self._slowest = 0.0
        self._lock = threading.Lock()

    def bound(self) -> float:
        """Seconds to wait for the next answer."""
        if self.shrinking:
            return min(self.timeout, max(SHRINK_HANG_FLOOR, 3 * self._slowest))
        return self.timeout

    def answered(self, seconds: float) -> None:
        """Record an answered call's duration."""
        with self._lock:
            self._slowest = max(self._slowest, seconds)

    @property
    def slowest(self) -> float:
        """The slowest answered call so far, in seconds."""
        return self._slowest


@dataclass
class Sent:
    """One tools/call in flight (``begin_call``), judged when it ends (``end_call``)."""

    tool: dict[str, Any]
    arguments: dict[str, Any]
    mode: Mode
    mutation: str
    wire: Wire | None = None
    call: Call | None = None
    started: float = 0.0
    failure: FuzzFailure | None = None

    def failed(self, kind: str, detail: str) -> FuzzFailure:
        """A failure of this call."""
        return FuzzFailure(str(self.tool.get("name")), self.mode, kind, self.arguments, detail, self.mutation)


def call_and_judge(ctx: CheckContext, tool: dict[str, Any], arguments: dict[str, Any], mode: Mode, mutation: str,
                   clock: CallClock) -> tuple[FuzzFailure | None, bool]:
    """Call ``tool`` once and judge the answer (``begin_call`` then ``end_call``).

    Returns:
        The failure (None when the property held) and whether the result was a tool error (``isError``).
    """
    return end_call(ctx, begin_call(ctx, tool, arguments, mode, mutation, clock), clock)


def begin_call(ctx: CheckContext, tool: dict[str, Any], arguments: dict[str, Any], mode: Mode, mutation: str,
               clock: CallClock) -> Sent:
    """Send one tools/call on the shared wire without waiting (a send that fails is a crash, judged at once)."""
    sent = Sent(tool, arguments, mode, mutation)
    with HYPOTHESIS.released():  # after a crash this starts a server: another property may draw meanwhile
        sent.wire = ctx.wire()
    message = sent.wire.message("tools/call", {"name": str(tool.get("name")), "arguments": arguments})
    sent.started = time.monotonic()
    try:
        sent.call = sent.wire.begin(message, timeout=clock.bound())
    except WireError as exc:
        abandon(ctx, sent.wire, died=True)
        sent.failure = sent.failed("crash", str(exc))
    return sent


def end_call(ctx: CheckContext, sent: Sent, clock: CallClock) -> tuple[FuzzFailure | None, bool]:
    """Wait for a call ``begin_call`` sent and judge it: valid arguments must get a result, invalid ones a rejection.

    A hung request gets its wire dropped (on stdio that ends the process, so calls queued behind it fail at
    once); a dead server's wire is replaced by the next ``ctx.wire()``. Only the wire the call used is dropped,
    never one another call opened since.

    Returns:
        The failure (None when the property held) and whether the result was a tool error (``isError``).
    """
    if sent.failure is not None or sent.call is None or sent.wire is None:
        return sent.failure, False
    try:
        with HYPOTHESIS.released():  # a replayed call waits on the serial thread: another property may draw
            reply = sent.call.wait()
    except RequestTimeout as exc:
        abandon(ctx, sent.wire, died=False)
        return sent.failed("hang", f"no answer within {exc.timeout:g} s"), False
    except WireError as exc:
        abandon(ctx, sent.wire, died=True)
        return sent.failed("crash", str(exc)), False
    clock.answered(time.monotonic() - sent.started)
    if sent.mode == "invalid":
        return judge_invalid(reply, sent.failed, ctx.version), False
    return judge_valid(sent.tool, reply, sent.failed, ctx.version)


def abandon(ctx: CheckContext, wire: Wire, *, died: bool) -> None:
    """Stop using ``wire`` as the shared connection and close it in the background; a server that ``died`` is
    counted as restarted when the next call opens a new connection.

    Closing a hung stdio server takes its stop grace (seconds) and nothing waits for it: the next call opens
    a new connection at once, so shrinking a hang costs the shrink bound per candidate, not the grace too.
    The handle keeps tracking the wire until it is closed, so the run's end still stops its process.
    """
    if ctx.state.release_shared(wire, died=died):  # else another thread (or the shared wire's reopening) let it go
        threading.Thread(target=ctx.handle.forget, args=(wire,), name="mcptest-fuzz-close", daemon=True).start()


def judge_invalid(reply: Reply, failed: Any, version: str | None = None) -> FuzzFailure | None:
    """Invalid arguments must be rejected: an ``isError`` result (well-formed) or any JSON-RPC error.

    A 2026-07-28 request for client input first is no acceptance (MOD-10..23 judge it).
    """
    if not reply.ok or needs_input(reply):
        return None
    problems = result_problems(reply.result, version)
    if problems:
        return failed("bad-result", "; ".join(problems[:3]))
    if isinstance(reply.result, dict) and reply.result.get("isError") is True:
        return None
    return failed("accepted-invalid", f"the invalid arguments were accepted: {_show(reply.result)}")


def judge_valid(tool: dict[str, Any], reply: Reply, failed: Any,
                version: str | None = None) -> tuple[FuzzFailure | None, bool]:
    """Valid arguments must get a well-formed result; structured output must match ``outputSchema``.

    Returns:
        The failure (or None) and whether the result was a tool error (``isError: true``, allowed).
    """
    if needs_input(reply):
        return None, False  # 2026-07-28: the tool asks for client input first (MOD-10..23 judge that)
    if not reply.ok:
        error = _show(reply.response.get("error"))
        return failed("protocol-error", f"JSON-RPC error for schema-valid arguments: {error}"), False
    problems = result_problems(reply.result, version)
    if problems:
        return failed("bad-result", "; ".join(problems[:3])), False
    result = reply.result
    if result.get("isError") is True:
        return None, True
    schema = tool.get("outputSchema")
    if isinstance(schema, dict) and structured_output(version):
        if "structuredContent" not in result:
            return failed("output-schema", "no structuredContent although the tool declares an outputSchema"), False
        try:
            validator = schema_validator(schema)
        except UnsupportedSchema:
            return None, False  # an unusable outputSchema is the tools checks' finding, not fuzzing's
        errors = list(validator.iter_errors(result["structuredContent"]))
        if errors:
            where = "/".join(str(part) for part in errors[0].absolute_path) or "(root)"
            detail = f"structuredContent does not match outputSchema at {where}: {errors[0].message[:200]}"
            return failed("output-schema", detail), False
    return None, False


def result_problems(result: Any, version: str | None) -> list[str]:
    """What makes a tools/call result malformed (TOOL-05): content not an array of valid blocks, isError not
    a boolean."""
    if not isinstance(result, dict):
        return [f"the result is not an object: {_show(result, 100)}"]
    content = result.get("content")
    problems = [] if isinstance(content, list) else [f"content is not an array: {_show(content, 100)}"]
    for index, block in enumerate(content if isinstance(content, list) else []):
        problems += content_problems(block, version, f"content[{index}]")
    if "isError" in result and not isinstance(result["isError"], bool):
        problems.append(f"isError is not a boolean: {_show(result['isError'], 100)}")
    return problems


def structured_output(version: str | None) -> bool:
    """Whether ``version`` has outputSchema / structuredContent (TOOL-06 applies)."""
    return version is None or version in requirement("TOOL-06").versions


def _show(value: Any, limit: int = 300) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:limit]
