"""One fuzz call and its verdict: valid arguments must get a tool result, invalid ones a rejection."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mcptest.fuzz.schema import UnsupportedSchema, schema_validator
from mcptest.spec.shapes import content_problems
from mcptest.wire import RequestTimeout, WireError

if TYPE_CHECKING:
    from mcptest.checks.base import CheckContext
    from mcptest.wire import Reply

Mode = Literal["valid", "invalid"]
SHRINK_HANG_FLOOR = 0.5


@dataclass(frozen=True)
class FuzzFailure:
    """A minimal input that breaks the property, and how.

    Attributes:
        tool: the tool's name.
        mode: ``valid`` (FUZZ-01) or ``invalid`` (FUZZ-02).
        kind: crash, hang, protocol-error, bad-result, output-schema, accepted-invalid or wrong-error.
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


def call_and_judge(ctx: CheckContext, tool: dict[str, Any], arguments: dict[str, Any], mode: Mode, mutation: str,
                   clock: CallClock) -> tuple[FuzzFailure | None, bool]:
    """Call ``tool`` once and judge the answer; drops the wire when the server died or hung.

    Returns:
        The failure (None when the property held) and whether the result was a tool error (``isError``).
    """
    name = str(tool.get("name"))

    def failed(kind: str, detail: str) -> FuzzFailure:
        return FuzzFailure(name, mode, kind, arguments, detail, mutation)

    reply, failure = call_tool(ctx, name, arguments, clock, failed)
    if reply is None:
        return failure, False
    if mode == "invalid":
        return judge_invalid(reply, failed), False
    return judge_valid(tool, reply, failed)


def call_tool(ctx: CheckContext, name: str, arguments: dict[str, Any], clock: CallClock,
              failed: Any) -> tuple[Reply | None, FuzzFailure | None]:
    """Send one tools/call; (reply, None), or (None, the crash/hang failure) after dropping the wire."""
    wire = ctx.wire()
    started = time.monotonic()
    try:
        reply = wire.request("tools/call", {"name": name, "arguments": arguments}, timeout=clock.bound())
    except RequestTimeout as exc:
        ctx.reset_wire()
        return None, failed("hang", f"no answer within {exc.timeout:g} s")
    except WireError as exc:
        ctx.reset_wire()
        return None, failed("crash", str(exc))
    clock.answered(time.monotonic() - started)
    return reply, None


def judge_invalid(reply: Reply, failed: Any) -> FuzzFailure | None:
    """Invalid arguments must get an ``isError`` result or a -32602 error."""
    if reply.ok and isinstance(reply.result, dict) and reply.result.get("isError") is True:
        return None
    if not reply.ok and reply.error_code == -32602:
        return None
    if reply.ok:
        return failed("accepted-invalid", f"the invalid arguments were accepted: {_show(reply.result)}")
    return failed("wrong-error", f"answered {_show(reply.error)} instead of an isError result or -32602")


def judge_valid(tool: dict[str, Any], reply: Reply, failed: Any) -> tuple[FuzzFailure | None, bool]:
    """Valid arguments must get a well-formed result; structured output must match ``outputSchema``."""
    if not reply.ok:
        return failed("protocol-error", f"JSON-RPC error for schema-valid arguments: {_show(reply.response.get('error'))}"), False
    result = reply.result if isinstance(reply.result, dict) else {}
    content = result.get("content")
    problems = [] if isinstance(content, list) else [f"content is not an array: {_show(content, 100)}"]
    for index, block in enumerate(content if isinstance(content, list) else []):
        problems += content_problems(block, None, f"content[{index}]")
    if problems:
        return failed("bad-result", "; ".join(problems[:3])), False
    if result.get("isError") is True:
        return None, True
    schema = tool.get("outputSchema")
    if isinstance(schema, dict):
        if "structuredContent" not in result:
            return failed("output-schema", "no structuredContent although the tool declares an outputSchema"), False
        try:
            validator = schema_validator(schema)
        except UnsupportedSchema:
            return None, False  # an unusable outputSchema is the tools checks' finding, not fuzzing's
        errors = list(validator.iter_errors(result["structuredContent"]))
        if errors:
            return failed("output-schema", f"structuredContent does not match outputSchema: {errors[0].message[:200]}"), False
    return None, False


def _show(value: Any, limit: int = 300) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:limit]
