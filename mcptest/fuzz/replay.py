"""Replay a recorded sequence on a fresh server and shrink a failing one by removing whole steps (delta debugging).

A step's arguments that came from an earlier step's result are taken from what that step returns in the replay
(``observe.extract``), so removing an earlier ``create`` does not leave a later ``delete`` pointing at an id that
no longer exists; when the step that returned it was removed, the literal seen before is sent instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from mcptest.fuzz.budget import ShrinkAllowance
from mcptest.fuzz.invariants import Broken, Probe
from mcptest.fuzz.observe import MISSING, Ref, describe, extract
from mcptest.fuzz.schema import UnsupportedSchema, schema_validator
from mcptest.fuzz.sequence import Step

Run = Callable[[tuple[Step, ...]], "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What a replay did: the invariant that broke (None when all held) and the steps as sent, up to the break."""

    broken: Broken | None
    steps: tuple[Step, ...]


def play(probe: Probe, steps: tuple[Step, ...]) -> Outcome:
    """Send ``steps`` on ``probe``'s fresh connection, checking the invariants after each; stop at the first break."""
    records: list[dict[str, Any]] = []
    sent: list[Step] = []
    try:
        probe.start()
    except Broken as broken:
        return Outcome(broken, ())
    for step in steps:
        arguments, refs = dict(step.arguments), {}
        for name, ref in step.refs.items():
            for candidate in (ref, _first_items(ref)):  # a shorter listing: its first item, the same kind of value
                value = extract(records[candidate.step], candidate.path) if candidate.step < len(records) else MISSING
                if value is not MISSING:
                    arguments[name], refs[name] = value, candidate
                    break
        origins = {name: f"step {ref.step + 1} ({sent[ref.step].tool}) {describe(ref.path)}"
                   for name, ref in refs.items()}
        sent.append(Step(step.tool, arguments, origins, refs))
        try:
            result = probe.call(step.tool, arguments)
            listed = probe.after()
        except Broken as broken:
            return Outcome(broken, tuple(sent))
        records.append({"result": result, "listing": listed})
    return Outcome(None, tuple(sent))


def subsequence(steps: tuple[Step, ...], keep: list[int]) -> tuple[Step, ...]:
    """The steps at the positions ``keep`` (ascending), references renumbered.

    A reference to a removed step moves to the nearest earlier kept call of the same tool (the same kind of
    value: removing one ``create`` of two leaves the ``delete`` with the other's id); with none, the argument
    keeps the literal seen last.
    """
    position = {old: new for new, old in enumerate(keep)}
    out = []
    for old in keep:
        step = steps[old]
        refs: dict[str, Ref] = {}
        for name, ref in step.refs.items():
            source = ref.step if ref.step in position else _same_tool_before(steps, keep, old, steps[ref.step].tool)
            if source is not None:
                refs[name] = Ref(position[source], ref.path)
        origins = {name: origin for name, origin in step.origins.items() if name in refs}
        out.append(Step(step.tool, step.arguments, origins, refs))
    return tuple(out)


def _same_tool_before(steps: tuple[Step, ...], keep: list[int], before: int, tool: str) -> int | None:
    return next((index for index in reversed(keep) if index < before and steps[index].tool == tool), None)


def shrink(failing: Outcome, run: Run, allowance: ShrinkAllowance,
           tools: dict[str, dict[str, Any]]) -> tuple[tuple[Step, ...], Broken]:
    """The shortest failing sequence found by removing chunks of steps (halving their size down to single
    steps, as ddmin does with complements), then simpler arguments, within ``allowance``.

    ``failing`` is a replay that broke; every candidate is replayed on a fresh server (``run``) and kept when it
    breaks the same way. Returns the steps as last sent and the break they caused.
    """
    if failing.broken is None:
        raise ValueError("shrink() needs a replay that broke an invariant")
    kind = failing.broken.kind
    current, broken = failing.steps, failing.broken

    def attempt(candidate: tuple[Step, ...]) -> bool:
        nonlocal current, broken
        if not allowance.take():
            raise _Spent
        outcome = run(candidate)
        if outcome.broken is None or outcome.broken.kind != kind:
            return False
        current, broken = outcome.steps, outcome.broken
        return True

    try:
        while True:  # removing steps can make arguments simpler and the other way round: until neither helps
            before = current
            _remove_steps(lambda: current, attempt)
            _simplify_arguments(lambda: current, attempt, tools)
            if current == before:
                break
    except _Spent:
        pass
    return current, broken


class _Spent(Exception):
    """The shrink allowance ran out."""


def _remove_steps(current: Callable[[], tuple[Step, ...]], attempt: Callable[[tuple[Step, ...]], bool]) -> None:
    chunks = 2
    while len(current()) >= 2:
        steps = current()
        size = -(-len(steps) // chunks)
        for start in range(0, len(steps), size):
            keep = [i for i in range(len(steps)) if not start <= i < start + size]
            if keep and attempt(subsequence(steps, keep)):
                chunks = max(chunks - 1, 2)
                break
        else:
            if size == 1:
                return
            chunks = min(len(steps), chunks * 2)


def _simplify_arguments(current: Callable[[], tuple[Step, ...]], attempt: Callable[[tuple[Step, ...]], bool],
                        tools: dict[str, dict[str, Any]]) -> None:
    """For each argument: leave it out when optional, else try the simplest value of its type (a value taken
    from an earlier result too: a literal that works as well shows the reference does not matter)."""
    index = 0
    while index < len(current()):
        steps = current()
        step = steps[index]
        changed = False
        for name in step.arguments:
            for simpler in _simpler_refs(step, name) + [
                replace(step, arguments=arguments, refs={n: r for n, r in step.refs.items() if n != name},
                        origins={n: o for n, o in step.origins.items() if n != name})
                for arguments in _simpler(tools.get(step.tool), step.arguments, name)
            ]:
                if attempt((*steps[:index], simpler, *steps[index + 1:])):
                    changed = True
                    break
            if changed:
                break
        if not changed:
            index += 1


def _simpler_refs(step: Step, name: str) -> list[Step]:
    """The step with the reference of ``name`` moved to the first item wherever its path indexes a list (the
    first listed resource rather than the third: the simplest choice of the same kind of value)."""
    ref = step.refs.get(name)
    if ref is None or _first_items(ref) == ref:
        return []
    return [replace(step, refs={**step.refs, name: _first_items(ref)})]


def _first_items(ref: Ref) -> Ref:
    return Ref(ref.step, tuple(0 if isinstance(part, int) else part for part in ref.path))


def _simpler(tool: dict[str, Any] | None, arguments: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Valid variants of ``arguments`` with ``name`` left out or set to its type's simplest value."""
    if tool is None or not isinstance(tool.get("inputSchema"), dict):
        return []
    try:
        validator = schema_validator(tool["inputSchema"])
    except UnsupportedSchema:
        return []
    value = arguments[name]
    variants = [{k: v for k, v in arguments.items() if k != name}]
    simplest = {str: "", int: 0, float: 0.0, bool: False, list: [], dict: {}}.get(type(value))
    if type(value) in (str, int, float, bool, list, dict) and value != simplest:
        variants.append({**arguments, name: simplest})
    return [variant for variant in variants if validator.is_valid(variant)]
