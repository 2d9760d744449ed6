"""A stateful run's steps, and the failing sequence printed as a ready-to-paste pytest test of mcp_session calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mcptest.fuzz.observe import Ref

STATE_REQUIREMENT = {
    "crash": "STATE-01", "hang": "STATE-01", "protocol-error": "TOOL-13", "bad-result": "TOOL-05",
    "output-schema": "STATE-02", "unreadable-resource": "STATE-03", "resources-listing": "STATE-03",
    "unannounced-list-change": "STATE-04", "listing": "STATE-04",
}
"""The requirement a broken invariant breaks: the server died or went silent (STATE-01), structured output no longer
matches outputSchema (STATE-02), a listed resource cannot be read or resources can no longer be listed (STATE-03), a
listing changed unannounced or can no longer be listed (STATE-04); a JSON-RPC error for valid arguments (TOOL-13)
and a malformed result (TOOL-05) as for a single call."""


@dataclass(frozen=True)
class Step:
    """One tool call of a sequence.

    Attributes:
        tool: the tool called.
        arguments: the arguments sent.
        origins: argument name -> where its value was observed, in words.
        refs: argument name -> where its value was observed (an earlier step of the same sequence), so a replay
            can use the value the server returns then.
    """

    tool: str
    arguments: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)
    refs: dict[str, Ref] = field(default_factory=dict)


@dataclass(frozen=True)
class StatefulFailure:
    """A sequence after which an invariant broke, shrunk to a minimal one.

    Attributes:
        kind: a key of ``STATE_REQUIREMENT``.
        detail: what was observed after the last step.
        steps: the (minimal) sequence.
        check: the lines that show the broken invariant after the last step (they may use ``result``, the last
            call's result), as the generated test runs them.
        note: how far shrinking got, or why it could not run.
    """

    kind: str
    detail: str
    steps: tuple[Step, ...]
    check: str = ""
    note: str = ""

    @property
    def requirement(self) -> str:
        """The requirement id the broken invariant belongs to."""
        return STATE_REQUIREMENT[self.kind]

    def test(self, name: str = "test_stateful_sequence") -> str:
        """A pytest function that replays the sequence with ``mcp_session`` and shows the broken invariant.

        A value an earlier step returned is read from that step's result, as the sequence used it (the literal
        it had when found is in a comment).
        """
        refs = [ref for step in self.steps for ref in step.refs.values() if _expression(ref) is not None]
        results = {ref.step for ref in refs if ref.path[0] == "result"}
        listings = {ref.step for ref in refs if ref.path[0] == "listing"}
        body: list[str] = []
        for number, step in enumerate(self.steps):
            arguments, notes = _arguments(step)
            call = f"mcp_session.call_tool({step.tool!r}, {arguments})"
            last = number == len(self.steps) - 1
            if last and "result" in self.check:
                target = "result = "
            elif number in results:
                target = f"step{number + 1} = "
            else:
                target = ""
            body.extend(f"# {note}" for note in notes)
            if last and "[announced:]" in self.check:
                body.append("announced = len(mcp_session.notifications)")
            body.append(f"{target}{call}")
            if number in listings:
                body.append(f"listed{number + 1} = mcp_session.list_all('resources')")
        body.extend(line for line in self.check.splitlines() if line)
        uses_json = any("json." in line for line in body)
        lines = [f"def {name}(mcp_session):",
                 f"    # found by mcptest stateful fuzzing ({self.requirement} {self.kind}): "
                 f"{_first_line(self.detail)}"]
        if uses_json:
            lines.append("    import json")
        lines.extend(f"    {line}" for line in body)
        return "\n".join(lines)


def _arguments(step: Step) -> tuple[str, list[str]]:
    """The arguments as Python source (references to earlier results where the sequence used them) and notes."""
    parts: list[str] = []
    notes: list[str] = []
    for name, value in step.arguments.items():
        ref = step.refs.get(name)
        expression = _expression(ref) if ref is not None else None
        if expression is None:
            parts.append(f"{name!r}: {value!r}")
            if name in step.origins:
                notes.append(f"{name}: {value!r}, from {step.origins[name]}")
        else:
            parts.append(f"{name!r}: {expression}")
            notes.append(f"{name}: {value!r} when found, from {step.origins.get(name, 'an earlier step')}")
    return "{" + ", ".join(parts) + "}", notes


def _expression(ref: Ref) -> str | None:
    """Python source reading ``ref`` from ``stepN`` (an SDK CallToolResult) or ``listedN`` (the resources listed
    after step N), or None when it is not a plain path."""
    path = list(ref.path)
    if path[:2] == ["listing", "resources"] and len(path) == 4 and isinstance(path[2], int):
        item = f"listed{ref.step + 1}[{path[2]}].{path[3]}"
        return f"str({item})" if path[3] == "uri" else item
    if path[:2] == ["result", "structuredContent"]:
        text = f"step{ref.step + 1}.structured_content"
        rest = path[2:]
    elif path[:2] == ["result", "content"] and len(path) >= 4 and isinstance(path[2], int):
        block = f"step{ref.step + 1}.content[{path[2]}]"
        if path[3:] == ["uri"]:
            return f"str({block}.uri)"
        if path[3:5] != ["text", "json"]:
            return None
        text, rest = f"json.loads({block}.text)", path[5:]
    else:
        return None
    if any(part in ("json", "match") for part in rest):
        return None
    return text + "".join(f"[{part!r}]" for part in rest)


def _first_line(text: str) -> str:
    return text.splitlines()[0][:160] if text else ""
