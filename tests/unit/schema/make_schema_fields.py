"""Write mcptest/checks/schema_fields.py: the fields of the 2025-11-25 models each older handshake version lacks.

Usage (from the repository root):

    MCPTEST_SPEC_DIR=/path/to/modelcontextprotocol/docs/specification python tests/unit/schema/make_schema_fields.py
    ... make_schema_fields.py --check      # exit 1 if the committed table is not what the schemas give today

mcp-types validates every handshake version against the 2025-11-25 models (a superset). This walks those models
(the ones for what a server sends: results, notifications, server requests) side by side with each older
version's schema.json and records, per model class, the fields that version does not define, so that a problem
in such a field is not held against a server of that version (to it the field is an unknown extra). It also
records the fields 2025-11-25 requires that the older version only allowed (none so far).
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402

from tests.unit.spec.spectext import ENV, spec_dir  # noqa: E402

OUT = ROOT / "mcptest" / "checks" / "schema_fields.py"
OLDER = ("2024-11-05", "2025-03-26", "2025-06-18")
ENVELOPE = frozenset({"jsonrpc", "id"})
Table = dict[str, dict[str, set[str]]]


def definitions(version: str, root: Path) -> dict[str, Any]:
    """The schema definitions of ``version``."""
    data = json.loads((root.parent.parent / "schema" / version / "schema.json").read_text(encoding="utf-8"))
    return data.get("definitions") or data.get("$defs") or {}


def members(annotation: Any) -> list[Any]:
    """The types an annotation stands for: Annotated and Optional unwrapped, unions split."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in members(arg) if m is not type(None)]
    return [annotation]


class Walker:
    """Walks models and one older schema side by side, collecting what the older version lacks."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.added: dict[str, set[str]] = {}
        self.required: dict[str, set[str]] = {}
        self.seen: set[tuple[Any, int]] = set()

    def node(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self.defs[node["$ref"].rsplit("/", 1)[1]]
        return node

    def walk(self, annotation: Any, old: Any) -> None:
        old = self.node(old)
        if not isinstance(old, dict):
            return
        choices = members(annotation)
        if len(choices) > 1:
            self.union(choices, old)
            return
        kind = choices[0]
        origin = typing.get_origin(kind)
        if origin in (list, tuple) and "items" in old:
            self.walk(typing.get_args(kind)[0], old["items"])
        elif origin is dict and isinstance(old.get("additionalProperties"), dict):
            self.walk(typing.get_args(kind)[1], old["additionalProperties"])
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            self.model(kind, old)

    def union(self, choices: list[Any], old: dict[str, Any]) -> None:
        branches = old.get("anyOf") or old.get("oneOf")
        if not branches:
            for choice in choices:
                self.walk(choice, old)
            return
        by_name = {b["$ref"].rsplit("/", 1)[1]: b for b in branches if isinstance(b, dict) and "$ref" in b}
        for choice in choices:
            name = getattr(choice, "__name__", "")
            if name in by_name:
                self.walk(choice, by_name[name])  # a member the older version lacks is a superset's extra: skipped

    def model(self, model: type[BaseModel], old: dict[str, Any]) -> None:
        if (model, id(old)) in self.seen or "properties" not in old:
            return
        self.seen.add((model, id(old)))
        properties, required = old["properties"], set(old.get("required", ()))
        for name, info in model.model_fields.items():
            alias = info.alias or name
            if alias in ENVELOPE:
                continue  # older schemas describe notifications and requests without their JSON-RPC envelope
            if alias not in properties:
                self.added.setdefault(model.__name__, set()).add(alias)
                continue
            if info.is_required() and alias not in required:
                self.required.setdefault(model.__name__, set()).add(alias)
            self.walk(info.annotation, properties[alias])


def collect(root: Path) -> tuple[Table, Table]:
    """Per older version: the fields it lacks, and the fields 2025-11-25 requires that it did not."""
    from mcp_types import methods

    surfaces = (methods.SERVER_RESULTS, methods.SERVER_NOTIFICATIONS, methods.SERVER_REQUESTS)
    added: Table = {}
    required: Table = {}
    for version in OLDER:
        walker = Walker(definitions(version, root))
        for surface in surfaces:
            for (_, at), model in sorted(surface.items(), key=lambda item: item[0]):
                if at == version:
                    name = getattr(model, "__name__", "")
                    walker.walk(model, walker.defs.get(name, {}))
        added[version], required[version] = walker.added, walker.required
    return added, required


def narrowed(root: Path) -> list[str]:
    """Places where 2025-11-25 allows less than an older version (a type, an enum, a const): none may exist,
    or judging an older version against the 2025-11-25 models would hold a valid message against it."""
    newest = definitions("2025-11-25", root)
    found: list[str] = []
    for version in OLDER:
        old_defs = definitions(version, root)
        seen: set[tuple[int, int]] = set()

        def resolve(node: Any, defs: dict[str, Any]) -> Any:
            while isinstance(node, dict) and "$ref" in node:
                node = defs[node["$ref"].rsplit("/", 1)[1]]
            return node

        def compare(path: str, new: Any, old: Any) -> None:
            new, old = resolve(new, newest), resolve(old, old_defs)
            if not isinstance(new, dict) or not isinstance(old, dict) or (id(new), id(old)) in seen:
                return
            seen.add((id(new), id(old)))
            for key in ("type", "enum"):
                wide, narrow = _as_set(old.get(key)), _as_set(new.get(key))
                if key in new and key in old and not wide <= narrow:
                    found.append(f"{version} {path}: {key} {sorted(wide)} -> {sorted(narrow)}")
            if "const" in new and new.get("const") != old.get("const", new["const"]):
                found.append(f"{version} {path}: const {old.get('const')!r} -> {new['const']!r}")
            for name, child in new.get("properties", {}).items():
                if name in old.get("properties", {}):
                    compare(f"{path}.{name}", child, old["properties"][name])
            if "items" in new and "items" in old:
                compare(f"{path}[]", new["items"], old["items"])
            old_arms = {a["$ref"].rsplit("/", 1)[1]: a for a in old.get("anyOf", []) if "$ref" in a}
            for arm in new.get("anyOf", []):
                name = arm.get("$ref", "").rsplit("/", 1)[-1]
                if name in old_arms:
                    compare(f"{path}|{name}", arm, old_arms[name])

        for name in ("ServerResult", "ServerNotification", "ServerRequest"):
            compare(name, newest[name], old_defs[name])
    return found


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    return {json.dumps(v, sort_keys=True) for v in (value if isinstance(value, list) else [value])}


def render(added: Table, required: Table) -> str:
    """The table module's source."""

    def table(name: str, doc: str, data: Table) -> list[str]:
        lines = [f"{name}: dict[str, dict[str, frozenset[str]]] = {{"]
        for version, fields in data.items():
            lines.append(f'    "{version}": {{')
            for model in sorted(fields):
                names = ", ".join(f'"{field}"' for field in sorted(fields[model]))
                lines.append(f'        "{model}": frozenset({{{names}}}),')
            lines.append("    },")
        return [*lines, "}", f'"""{doc}"""', ""]

    head = [
        '"""Fields of the 2025-11-25 models that older handshake versions do not define (generated; do not edit).',
        "",
        ("Written by tests/unit/schema/make_schema_fields.py from the spec's schema.json files; "
         "a test keeps it current."),
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    body = table("ADDED", "Per older version: model class -> fields that version does not define (extras to it).",
                 added)
    body += ["", *table("NEWLY_REQUIRED", "Per older version: model class -> fields 2025-11-25 requires, that "
                        "version only allowed.", required)]
    return "\n".join(head + body)


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the table; 1 when it is stale, 2 without a spec checkout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = parser.parse_args(argv)
    root = spec_dir()
    if root is None:
        print(f"set {ENV} to the docs/specification folder of a checkout of the MCP spec repository", file=sys.stderr)
        return 2
    text = render(*collect(root))
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run {Path(__file__).name} without --check", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
