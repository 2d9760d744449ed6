"""A stateful run's steps, and the failing sequence printed as a ready-to-paste pytest test of mcp_session calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """One tool call of a sequence.

    Attributes:
        tool: the tool called.
        arguments: the arguments sent.
        origins: argument name -> where its value was observed (an earlier step's result).
    """

    tool: str
    arguments: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatefulFailure:
    """A sequence after which an invariant broke, shrunk by Hypothesis.

    Attributes:
        kind: crash, hang, protocol-error, bad-result, output-schema, unreadable-resource, unannounced-list-change.
        level: MUST or SHOULD (the spec level of the broken expectation).
        detail: what was observed after the last step.
        steps: the (minimal) sequence.
        check: what to assert after the last step, as the generated test does it.
    """

    kind: str
    level: str
    detail: str
    steps: tuple[Step, ...]
    check: str = ""

    def test(self, name: str = "test_stateful_sequence") -> str:
        """A pytest function that replays the sequence with ``mcp_session`` and asserts the broken invariant."""
        summary = _first_line(self.detail)
        lines = [f"def {name}(mcp_session):", f"    # found by mcptest stateful fuzzing ({self.kind}): {summary}"]
        for number, step in enumerate(self.steps, 1):
            for argument, origin in step.origins.items():
                lines.append(f"    # {argument}: the value returned by {origin}")
            call = f"mcp_session.call_tool({step.tool!r}, {step.arguments!r})"
            last = number == len(self.steps)
            lines.append(f"    result = {call}" if last and not self.check else f"    {call}")
        lines.extend(f"    {line}" for line in (self.check or "assert not result.is_error, result.content").splitlines())
        return "\n".join(lines)


def _first_line(text: str) -> str:
    return text.splitlines()[0][:160] if text else ""
