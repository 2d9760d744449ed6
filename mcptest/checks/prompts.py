"""Prompt checks (PROMPT-*): listing shape, prompts/get results and errors."""

from __future__ import annotations

from typing import Any

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import needs_input
from mcptest.findings import NotApplicable
from mcptest.spec.shapes import content_problems, shape_problems

UNKNOWN_PROMPT = "mcptest-no-such-prompt"


def _arguments(prompt: dict[str, Any]) -> list[dict[str, Any]]:
    args = prompt.get("arguments")
    return [a for a in args if isinstance(a, dict)] if isinstance(args, list) else []


def _required(prompt: dict[str, Any]) -> dict[str, str]:
    return {a["name"]: "mcptest" for a in _arguments(prompt)
            if a.get("required") is True and isinstance(a.get("name"), str)}


def _suggested(ctx: CheckContext, prompt: dict[str, Any]) -> dict[str, str]:
    """Required arguments, each filled with the server's own first completion when it offers one."""
    arguments = _required(prompt)
    if not ctx.surface.has("completions"):
        return arguments
    wire = ctx.wire()
    for name in arguments:
        params = {"ref": {"type": "ref/prompt", "name": prompt.get("name")}, "argument": {"name": name, "value": ""},
                  "context": {"arguments": arguments}}
        reply = wire.request("completion/complete", params)
        result = reply.result if reply.ok and isinstance(reply.result, dict) else {}
        values = result.get("completion", {}).get("values") if isinstance(result.get("completion"), dict) else None
        if isinstance(values, list) and values and isinstance(values[0], str):
            arguments[name] = values[0]
    return arguments


@check("PROMPT-01", "prompts", "prompt definition shape", scope="prompt")
def prompt_shape(ctx: CheckContext, prompt: dict[str, Any]) -> None:
    problems = shape_problems("Prompt", prompt)
    if problems:
        raise ctx.violation("PROMPT-01", "a name and well-formed arguments", "; ".join(problems),
                            sent={"method": "prompts/list"})


@check("PROMPT-02", "prompts", "prompts/get returns valid messages", scope="prompt")
def get_prompt(ctx: CheckContext, prompt: dict[str, Any]) -> None:
    arguments = _suggested(ctx, prompt)
    wire = ctx.wire()
    reply = wire.request("prompts/get", {"name": prompt.get("name"), "arguments": arguments})
    if needs_input(reply):  # -32021 or an InputRequiredResult: the spec's way to ask first, not a failed get
        raise NotApplicable(f"prompt {prompt.get('name')!r} asks the client for input first (MOD-10..23 judge that): "
                            f"{show(reply.response, 300)}")
    guessed = [name for name, value in arguments.items() if value == "mcptest"]
    if reply.error is not None and guessed:
        raise NotApplicable(f"the server rejected placeholder values for {guessed} (no completion offered for them): "
                            f"{show(reply.error)}")
    if not reply.ok or not isinstance(reply.result, dict):
        raise ctx.violation("PROMPT-02", "a prompts/get result", show(reply.response), wire=wire, sent=reply.request)
    messages = reply.result.get("messages")
    if not isinstance(messages, list):
        raise ctx.violation("PROMPT-02", "a messages array", show(reply.result), wire=wire, sent=reply.request)
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise ctx.violation("PROMPT-02", 'each message with role "user" or "assistant"',
                                f"messages[{index}]: {show(message)}", wire=wire, sent=reply.request)
        problems = content_problems(message.get("content"), ctx.version, f"messages[{index}].content")
        if problems:
            raise ctx.violation("PROMPT-02", "each message content a valid content block", "; ".join(problems),
                                wire=wire, sent=reply.request)


@check("PROMPT-03", "prompts", "unknown prompts get -32602")
def unknown_prompt(ctx: CheckContext) -> None:
    ctx.require("prompts")
    wire = ctx.wire()
    reply = wire.request("prompts/get", {"name": UNKNOWN_PROMPT})
    if reply.error_code != -32602:
        raise ctx.violation("PROMPT-03", "error -32602 for an unknown prompt name", show(reply.response), wire=wire,
                            sent=reply.request)


@check("PROMPT-04", "prompts", "missing required arguments get -32602")
def missing_argument(ctx: CheckContext) -> None:
    ctx.require("prompts")
    prompt = next((p for p in ctx.surface.items("prompts") if _required(p)), None)
    if prompt is None:
        raise NotApplicable("no prompt declares a required argument")
    wire = ctx.wire()
    reply = wire.request("prompts/get", {"name": prompt.get("name"), "arguments": {}})
    if reply.error_code != -32602:
        raise ctx.violation("PROMPT-04", f"error -32602 when required {sorted(_required(prompt))} are missing",
                            show(reply.response), wire=wire, sent=reply.request)
