"""Judge what a server sends against its protocol version's schema (the mcp-types models), naming JSON paths.

The rule per version:

- 2025-11-25 and 2026-07-28: the version's own models, strictly (JSON types are not coerced: ``"5"`` is no
  integer, ``"false"`` no boolean).
- 2024-11-05, 2025-03-26, 2025-06-18: the 2025-11-25 models (mcp-types has no others), which are a superset
  of those versions for everything a server sends: no field became required and no type narrowed since
  (``NEWLY_REQUIRED`` is empty, and a test re-derives that from the schemas). A problem located in a field
  the older version does not define (``ADDED``: ``title``, ``icons``, ``outputSchema``, ``_meta`` on items,
  ...) is dropped: to that version the field is an unknown extra.
- Extra fields are never a problem at any version (the models ignore them).

The models are imported on first use and each validator is built once.
"""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mcptest.checks.schema_fields import ADDED, NEWLY_REQUIRED

KINDS = ("result", "notification", "request")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_DISCRIMINATORS = frozenset({"type", "resultType"})
INPUT_REQUIRED = "InputRequiredResult"
CORE_RESULT_TYPES = ("complete", "input_required")
"""The ``resultType`` values the 2026-07-28 schema defines; any other names an extension's own shape."""


@functools.cache
def _model(kind: str, method: str, version: str, arm: str = "") -> tuple[Any, Any] | None:
    """(type, validator) for what ``kind`` of ``method`` is at ``version``, or None when nothing defines it.

    A 2026-07-28 result that may also be an ``InputRequiredResult`` is validated against the arm its
    ``resultType`` names (``arm``): the models' own union would take any object with a ``resultType`` string.
    """
    from mcp_types import methods
    from pydantic import TypeAdapter

    surface = {"result": methods.SERVER_RESULTS, "notification": methods.SERVER_NOTIFICATIONS,
               "request": methods.SERVER_REQUESTS}[kind]
    target = surface.get((method, version))
    arms = _members(target)
    if len(arms) > 1 and any(getattr(a, "__name__", "") == INPUT_REQUIRED for a in arms):
        chosen = [a for a in arms if (getattr(a, "__name__", "") == INPUT_REQUIRED) == (arm == "input_required")]
        target = chosen[0] if len(chosen) == 1 else target
    return None if target is None else (target, TypeAdapter(target))


def judge(kind: str, method: str, version: str, body: Any) -> list[str] | None:
    """The shape problems of a message body (a result, or a notification's or request's params) at ``version``.

    Returns:
        ``[]`` when it conforms; one ``"<json path>: <problem>"`` line per problem; None when the version's
        schema defines no such message (an unknown method, an extension's ``resultType``: others judge those).
    """
    arm = ""
    if kind == "result" and isinstance(body, dict) and isinstance(body.get("resultType"), str):
        arm = body["resultType"] if body["resultType"] in CORE_RESULT_TYPES else "extension"
    found = _model(kind, method, version, arm) if arm != "extension" else None
    if found is None:
        return None
    target, adapter = found
    data: Any = body
    if kind != "result":
        data = {"jsonrpc": "2.0", "method": method, **({"id": 0} if kind == "request" else {})}
        if body is not None:
            data["params"] = body
    from pydantic import ValidationError

    try:
        adapter.validate_python(data, strict=True, by_name=False)
    except ValidationError as exc:
        errors = [_located(error, target) for error in exc.errors(include_url=False)]
        return _report([e for e in errors if not _ignored(e, version)], errors, "result" if kind == "result" else "")
    return []


@dataclass
class _Error:
    """One pydantic error with its loc split into JSON path steps, union choices and (model, field) pairs."""

    raw: dict[str, Any]
    path: tuple[str | int, ...] = ()
    choices: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    live: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _located(error: dict[str, Any], root: Any) -> _Error:
    """Walk the model types along ``error['loc']``: union tags are choices, the rest is the JSON path."""
    current: Any = root
    path: list[str | int] = []
    choices: list[tuple[tuple[str | int, ...], str]] = []
    fields: list[tuple[str, str]] = []
    steps = list(error.get("loc", ()))
    while steps:
        options = _members(current)
        step = steps[0]
        if len(options) > 1:
            chosen = next((m for m in options if _tag(m) == step), None)
            choices.append((tuple(path), str(step)))
            steps.pop(0)
            current = chosen
            continue
        kind = options[0] if options else None
        origin = typing.get_origin(kind)
        steps.pop(0)
        path.append(step)
        if isinstance(kind, type) and hasattr(kind, "model_fields") and isinstance(step, str):
            fields.append((kind.__name__, step))
            info = next((f for n, f in kind.model_fields.items() if (f.alias or n) == step), None)
            current = info.annotation if info is not None else None
        elif origin in (list, tuple):
            current = typing.get_args(kind)[0] if typing.get_args(kind) else None
        elif origin is dict:
            current = typing.get_args(kind)[1] if len(typing.get_args(kind)) > 1 else None
        else:
            current = None
    return _Error(error, tuple(path), tuple(choices), tuple(fields))


def _members(annotation: Any) -> list[Any]:
    """The alternatives an annotation stands for (Annotated and None removed); [] when unknown."""
    if annotation is None:
        return []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) if arg is not type(None) for m in _members(arg)]
    return [annotation]


def _tag(member: Any) -> str:
    """The name pydantic gives a union member in error locations."""
    return member.__name__ if isinstance(member, type) else str(member)


def _ignored(error: _Error, version: str) -> bool:
    """True when ``error`` lies in a field ``version`` does not define (or only requires from 2025-11-25 on)."""
    added, required = ADDED.get(version, {}), NEWLY_REQUIRED.get(version, {})
    if any(name in added.get(model, ()) for model, name in error.fields):
        return True
    return error.raw.get("type") == "missing" and bool(error.fields) and \
        error.fields[-1][1] in required.get(error.fields[-1][0], ())


def _report(live: list[_Error], every: list[_Error], root: str) -> list[str]:
    """One line per problem, after settling unions: a union any of whose branches only failed on ignored fields
    is satisfied; otherwise the branch that matched the discriminator (``type``) or failed least is reported."""
    for error in every:
        error.live = error in live
    points = sorted({point for e in every for point, _ in e.choices}, key=len, reverse=True)
    for point in points:
        branches = _branches(every, point)
        if any(not any(e.live for e in errors) for errors in branches.values()):
            for errors in branches.values():
                for error in errors:
                    error.live = False
    lines: list[str] = []
    for point in sorted({p for e in every if e.live for p, _ in e.choices}, key=len):
        branches = {name: [e for e in errors if e.live] for name, errors in _branches(every, point).items()}
        branches = {name: errors for name, errors in branches.items() if errors}
        if len(branches) < 2:
            continue
        merged = _merged_discriminator(branches, point, root)
        best = min(branches, key=lambda name: (_fails_discriminator(branches[name], point), len(branches[name])))
        for name, errors in branches.items():
            if name != best or merged:
                for error in errors:
                    error.live = False
        if merged:
            lines.append(merged)
    lines += [_line(e, root) for e in every if e.live]
    return list(dict.fromkeys(lines))


def _branches(errors: list[_Error], point: tuple[str | int, ...]) -> dict[str, list[_Error]]:
    found: dict[str, list[_Error]] = {}
    for error in errors:
        for where, name in error.choices:
            if where == point:
                found.setdefault(name, []).append(error)
    return found


def _fails_discriminator(errors: list[_Error], point: tuple[str | int, ...]) -> bool:
    return any(e.raw.get("type") == "literal_error" and len(e.path) == len(point) + 1
               and e.path[-1] in _DISCRIMINATORS for e in errors)


def _merged_discriminator(branches: dict[str, list[_Error]], point: tuple[str | int, ...], root: str) -> str:
    """When every branch failed on the same discriminator: one line listing what it may be."""
    if not all(_fails_discriminator(errors, point) for errors in branches.values()):
        return ""
    literal = [e for errors in branches.values() for e in errors
               if e.raw.get("type") == "literal_error" and len(e.path) == len(point) + 1]
    keys = {e.path[-1] for e in literal}
    if len(keys) != 1:
        return ""
    expected = ", ".join(dict.fromkeys(str((e.raw.get("ctx") or {}).get("expected", "?")) for e in literal))
    return f"{_path(root, literal[0].path)}: one of {expected} (got {_show(literal[0].raw.get('input'))})"


def _line(error: _Error, root: str) -> str:
    raw = error.raw
    where = _path(root, error.path)
    if raw.get("type") == "missing":
        return f"{where}: required, missing"
    return f"{where}: {raw.get('msg', 'invalid')} (got {_show(raw.get('input'))})"


def _path(root: str, steps: Sequence[str | int]) -> str:
    """``result.tools[0].inputSchema`` from the steps below ``root``."""
    text = root
    for step in steps:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _IDENTIFIER.match(step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step)}]"
    return text or "(the message)"


def _show(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
