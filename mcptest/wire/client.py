"""How mcptest behaves as a client: the capabilities it declares and its answers to server-to-client requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROOT_URI = "file:///tmp/mcptest-root"
SAMPLED_TEXT = "mcptest sampled reply"

FULL_CAPABILITIES: dict[str, Any] = {
    "roots": {"listChanged": True},
    "sampling": {},
    "elicitation": {"form": {}},
}
"""Everything a server may ask of a client in the handshake era, for checks that need a capable client."""


@dataclass
class ClientBehaviour:
    """The client side of one connection.

    ``capabilities`` is what ``initialize`` (or the 2026-07-28 envelope) declares. ``answer`` replies to a
    server-to-client request: ``ping`` always; ``roots/list``, ``sampling/createMessage`` and
    ``elicitation/create`` with a canned result when the matching capability was declared, else -32601.
    ``asked`` records every request the server sent, so checks can judge them (LIFE-07, CAP-01..03).
    """

    capabilities: dict[str, Any] = field(default_factory=dict)
    asked: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def capable(cls) -> ClientBehaviour:
        """A client that declares roots, sampling and elicitation and answers them automatically."""
        return cls({key: dict(value) for key, value in FULL_CAPABILITIES.items()})

    def declares(self, capability: str) -> bool:
        """True when ``capability`` was declared."""
        return isinstance(self.capabilities.get(capability), dict)

    def answer(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The response to a server-to-client request (None for a malformed request without an id)."""
        self.asked.append(request)
        rid = request.get("id")
        if rid is None:
            return None
        method = request.get("method")
        result = self._result(method, request.get("params") if isinstance(request.get("params"), dict) else {})
        if result is None:
            error = {"code": -32601, "message": f"mcptest declared no capability for {method}"}
            return {"jsonrpc": "2.0", "id": rid, "error": error}
        return {"jsonrpc": "2.0", "id": rid, "result": result}

    def _result(self, method: Any, params: dict[str, Any]) -> dict[str, Any] | None:
        if method == "ping":
            return {}
        if method == "roots/list" and self.declares("roots"):
            return {"roots": [{"uri": ROOT_URI, "name": "mcptest"}]}
        if method == "sampling/createMessage" and self.declares("sampling"):
            return {"role": "assistant", "content": {"type": "text", "text": SAMPLED_TEXT}, "model": "mcptest",
                    "stopReason": "endTurn"}
        if method == "elicitation/create" and self.declares("elicitation"):
            return {"action": "decline"}
        return None
