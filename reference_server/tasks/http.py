"""Streamable HTTP routing headers for the task methods (SEP-2663 + SEP-2243): ``tasks/get``, ``tasks/update`` and
``tasks/cancel`` carry ``Mcp-Name: <taskId>``, and a missing or different value is 400 with -32020 HeaderMismatch.
The SDK checks ``Mcp-Name`` only for the core methods, so this runs in front of it."""

from __future__ import annotations

import json

from mcp.shared.inbound import decode_header_value
from mcp.types import HEADER_MISMATCH
from mcp.types.version import MODERN_PROTOCOL_VERSIONS
from starlette.types import ASGIApp, Receive, Scope, Send

from reference_server.asgi import json_object, read_body, replay, small_post

TASK_METHODS = frozenset({"tasks/get", "tasks/update", "tasks/cancel"})


class TaskRoutingHeaders:
    """Answer a 2026-07-28 task request whose ``Mcp-Name`` does not name its ``params.taskId``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        version = headers.get(b"mcp-protocol-version", b"").decode("latin-1")
        if not small_post(scope) or version not in MODERN_PROTOCOL_VERSIONS:
            await self.app(scope, receive, send)
            return
        body, leftovers = await read_body(receive)
        message = json_object(body) if body is not None else None
        params = message.get("params") if message is not None else None
        if message is not None and message.get("method") in TASK_METHODS and isinstance(params, dict):
            task_id = params.get("taskId")
            raw = headers.get(b"mcp-name")
            name = decode_header_value(raw.decode("latin-1")) if raw is not None else None
            if isinstance(task_id, str) and name != task_id:
                await _mismatch(send, message.get("id"), "Mcp-Name header does not match the request body's 'taskId'")
                return
        await self.app(scope, replay(body, leftovers, receive), send)


async def _mismatch(send: Send, request_id: object, text: str) -> None:
    payload = {"jsonrpc": "2.0", "id": request_id, "error": {"code": HEADER_MISMATCH, "message": text}}
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
