"""JSON-RPC 2.0 message shapes: what makes a frame a valid request, notification or response."""

from __future__ import annotations

import json
from typing import Any


def _show(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def frame_problem(message: Any) -> str | None:
    """Why ``message`` is not a valid JSON-RPC 2.0 message, or None (a batch array is judged item by item)."""
    if isinstance(message, list):
        problems = [frame_problem(item) for item in message] if message else ["an empty batch array"]
        return next((p for p in problems if p), None)
    if not isinstance(message, dict):
        return f"a JSON {type(message).__name__}, not an object"
    if message.get("jsonrpc") != "2.0":
        return f'"jsonrpc" is {_show(message.get("jsonrpc"))}, not "2.0"'
    has_method, has_id = "method" in message, "id" in message
    has_result, has_error = "result" in message, "error" in message
    if has_method:
        if not isinstance(message["method"], str):
            return "method is not a string"
        if has_result or has_error:
            return "a request/notification must not carry result or error"
        if has_id and not (isinstance(message["id"], (str, int)) and not isinstance(message["id"], bool)):
            return f"request id {_show(message['id'])} is not a string or integer"
        return None
    if not (has_result or has_error):
        return "neither a request (method) nor a response (result/error)"
    if not has_id:
        return "a response without an id member"
    return None
