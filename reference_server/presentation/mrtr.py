"""Building blocks for hand-written multi-round-trip flows (2026-07-28 input-required results): the three kinds of
input request, the client capability each needs, and reading the client's answers on the retry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp.types as types
from mcp.server.mcpserver import Context
from mcp.shared.exceptions import MCPError

InputRequest = types.ElicitRequest | types.CreateMessageRequest | types.ListRootsRequest


def elicitation(message: str, schema: dict[str, Any]) -> types.ElicitRequest:
    """An ``elicitation/create`` (form) request."""
    params = types.ElicitRequestFormParams(message=message, requested_schema=schema)
    return types.ElicitRequest(params=params)


def sampling(text: str, max_tokens: int) -> types.CreateMessageRequest:
    """A ``sampling/createMessage`` request with one user message."""
    message = types.SamplingMessage(role="user", content=types.TextContent(type="text", text=text))
    params = types.CreateMessageRequestParams(messages=[message], max_tokens=max_tokens)
    return types.CreateMessageRequest(params=params)


def roots() -> types.ListRootsRequest:
    """A ``roots/list`` request."""
    return types.ListRootsRequest()


def capability_for(request: InputRequest) -> str:
    """The client capability (``elicitation``, ``sampling`` or ``roots``) an input request needs."""
    if isinstance(request, types.ElicitRequest):
        return "elicitation"
    if isinstance(request, types.CreateMessageRequest):
        return "sampling"
    return "roots"


def declared(ctx: Context) -> set[str]:
    """Which of elicitation, sampling and roots the request declared in its client capabilities."""
    capabilities = ctx.client_capabilities
    if capabilities is None:
        return set()
    return {name for name in ("elicitation", "sampling", "roots") if getattr(capabilities, name) is not None}


def missing_capability(needed: set[str], *, what: str) -> MCPError:
    """-32021 (MissingRequiredClientCapability) naming every capability in ``needed``."""
    required = types.ClientCapabilities.model_validate({name: {} for name in sorted(needed)})
    data = types.MissingRequiredClientCapabilityErrorData(required_capabilities=required)
    return MCPError(
        code=types.MISSING_REQUIRED_CLIENT_CAPABILITY,
        message=f"{what} needs the client capabilities {', '.join(sorted(needed))}; declare them in the request",
        data=data.model_dump(by_alias=True, mode="json", exclude_none=True),
    )


def ask(
    ctx: Context, requests: Mapping[str, InputRequest], *, state: str | None = None, what: str
) -> types.InputRequiredResult:
    """An input-required result asking ``requests``; -32021 when the request lacks a capability they need."""
    needed = {capability_for(request) for request in requests.values()} - declared(ctx)
    if needed:
        raise missing_capability(needed, what=what)
    return types.InputRequiredResult(input_requests=dict(requests), request_state=state)


def answer(ctx: Context, key: str) -> Any:
    """The client's answer to the input request ``key`` on this retry, or None."""
    return (ctx.input_responses or {}).get(key)


def accepted(ctx: Context, key: str) -> dict[str, Any] | None:
    """The content of an accepted elicitation answer ``key``, or None (absent, declined, cancelled)."""
    response = answer(ctx, key)
    if isinstance(response, types.ElicitResult) and response.action == "accept":
        return dict(response.content or {})
    return None


def sampled_text(ctx: Context, key: str) -> str | None:
    """The text of a sampling answer ``key``, or None."""
    response = answer(ctx, key)
    if not isinstance(response, types.CreateMessageResult | types.CreateMessageResultWithTools):
        return None
    blocks = response.content if isinstance(response.content, list) else [response.content]
    return " ".join(block.text for block in blocks if isinstance(block, types.TextContent))


def root_uris(ctx: Context, key: str) -> list[str] | None:
    """The root URIs of a ``roots/list`` answer ``key``, or None."""
    response = answer(ctx, key)
    return [str(root.uri) for root in response.roots] if isinstance(response, types.ListRootsResult) else None
