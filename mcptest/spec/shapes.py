"""Validate what a server returns against the spec's types, with messages that name the field."""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from mcp_types import _v2025_11_25 as v2025

from mcptest.spec.versions import at_least


@functools.cache
def _validator(type_name: str) -> jsonschema.protocols.Validator:
    model = getattr(v2025, type_name)
    return jsonschema.Draft202012Validator(model.model_json_schema(by_alias=True))


def shape_problems(type_name: str, data: Any) -> list[str]:
    """Problems of ``data`` against the spec type ``type_name`` (e.g. ``InitializeResult``).

    Returns at most three problems, each naming the JSON path, e.g. ``tools[0].inputSchema: ...``.
    """
    validator = _validator(type_name)
    errors = list(validator.iter_errors(data))
    if not errors:
        return []
    found = []
    best = best_match(errors)
    found.append(_describe(best))
    for error in errors:
        text = _describe(error)
        if text not in found and len(found) < 3:
            found.append(text)
    return found


def _describe(error: jsonschema.ValidationError) -> str:
    path = json_path(error.absolute_path)
    message = error.message if len(error.message) < 200 else error.message[:197] + "..."
    return f"{path or '(root)'}: {message}"


def json_path(parts: Any) -> str:
    """Render a jsonschema path deque as ``a.b[0].c``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


CONTENT_FIELDS: dict[str, tuple[tuple[str, type], ...]] = {
    "text": (("text", str),),
    "image": (("data", str), ("mimeType", str)),
    "audio": (("data", str), ("mimeType", str)),
    "resource_link": (("uri", str), ("name", str)),
    "resource": (("resource", dict),),
}
CONTENT_SINCE = {"audio": "2025-03-26", "resource_link": "2025-06-18"}


def content_problems(block: Any, version: str | None, where: str = "content") -> list[str]:
    """Problems of one content block (text, image, audio, resource_link, resource) at ``version``."""
    if not isinstance(block, dict):
        return [f"{where}: must be an object, got {type(block).__name__}"]
    kind = block.get("type")
    if kind not in CONTENT_FIELDS:
        return [f"{where}.type: {kind!r} is not a content type ({', '.join(CONTENT_FIELDS)})"]
    problems = []
    since = CONTENT_SINCE.get(kind)
    if since and version and not at_least(version, since):
        problems.append(f"{where}: {kind!r} content does not exist before {since} (negotiated {version})")
    for name, expected in CONTENT_FIELDS[kind]:
        value = block.get(name)
        if not isinstance(value, expected):
            got = "missing" if name not in block else f"a {type(value).__name__}"
            problems.append(f"{where}.{name}: required {expected.__name__} for {kind!r} content, {got}")
    if kind in ("image", "audio") and isinstance(block.get("data"), str) and not is_base64(block["data"]):
        problems.append(f"{where}.data: not valid base64")
    if kind == "resource" and isinstance(block.get("resource"), dict):
        problems.extend(resource_contents_problems(block["resource"], f"{where}.resource"))
    return problems


def resource_contents_problems(item: Any, where: str) -> list[str]:
    """Problems of one resource contents item: a uri and exactly one of text / base64 blob."""
    if not isinstance(item, dict):
        return [f"{where}: must be an object"]
    problems = []
    if not isinstance(item.get("uri"), str):
        problems.append(f"{where}.uri: required string")
    has_text, has_blob = isinstance(item.get("text"), str), isinstance(item.get("blob"), str)
    if has_text == has_blob:
        problems.append(f"{where}: needs exactly one of text (string) or blob (base64 string)")
    elif has_blob and not is_base64(item["blob"]):
        problems.append(f"{where}.blob: not valid base64")
    if "mimeType" in item and not isinstance(item["mimeType"], str):
        problems.append(f"{where}.mimeType: must be a string")
    return problems


def is_base64(text: str) -> bool:
    """True when ``text`` is standard base64 (padding required, whitespace not allowed)."""
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
