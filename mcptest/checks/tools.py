"""Tool checks (TOOL-*): listing shape, schemas, calls, structured output, error handling."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

from mcptest.checks.base import CheckContext, check, show
from mcptest.checks.calls import call_tool, callable_tool, exercise, needs_task, safe_tools
from mcptest.checks.examples import example_arguments, validator_for
from mcptest.findings import NotApplicable
from mcptest.spec.shapes import content_problems, shape_problems

NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
UNKNOWN_TOOL = "mcptest-no-such-tool"


MISSING_CLIENT_CAPABILITY = -32021
"""2026-07-28: processing the request requires a capability the client did not declare."""


@check("TOOL-01", "tools", "tool definition shape", scope="tool")
def tool_shape(ctx: CheckContext, tool: dict[str, Any]) -> None:
    # outputSchema's root type is TOOL-04's to judge, its validity TOOL-03's: not counted twice here
    problems = [p for p in shape_problems("Tool", tool) if not p.startswith("outputSchema")]
    schema = tool.get("inputSchema")
    if isinstance(schema, dict) and schema.get("type") != "object":
        problems.insert(0, f'inputSchema.type: must be "object", got {show(schema.get("type"))}')
    annotations = tool.get("annotations")
    if isinstance(annotations, dict):
        for hint in ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"):
            if hint in annotations and not isinstance(annotations[hint], bool):
                problems.append(f"annotations.{hint}: must be a boolean, got {show(annotations[hint])}")
    if problems:
        raise ctx.violation("TOOL-01", "name, inputSchema {type: object} and well-typed optional fields",
                            "; ".join(problems[:3]), sent={"method": "tools/list"})


@check("TOOL-02", "tools", "tool names use the recommended characters")
def tool_names(ctx: CheckContext) -> None:
    ctx.require("tools")
    names = [t.get("name") for t in ctx.surface.items("tools")]
    bad = [n for n in names if not isinstance(n, str) or not NAME.match(n)]
    if bad:
        raise ctx.violation("TOOL-02", "names of 1-128 characters from A-Z a-z 0-9 _ - .", f"{show(bad[:5])}",
                            sent={"method": "tools/list"})


@check("TOOL-14", "tools", "tool names are unique")
def tool_names_unique(ctx: CheckContext) -> None:
    ctx.require("tools")
    names = [t.get("name") for t in ctx.surface.items("tools")]
    if not names:
        raise NotApplicable("the server lists no tools")
    duplicates = sorted({str(n) for n in names if names.count(n) > 1})
    if duplicates:
        raise ctx.violation("TOOL-14", "each tool name listed once", f"listed more than once: {show(duplicates)}",
                            sent={"method": "tools/list"})


def _schema_problem(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return f"not an object: {show(schema)}"
    try:
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        return f"invalid JSON Schema at {where or '(root)'}: {exc.message}"
    return None


@check("TOOL-03", "tools", "input/output schemas are valid JSON Schema", scope="tool")
def tool_schemas_valid(ctx: CheckContext, tool: dict[str, Any]) -> None:
    for key in ("inputSchema", "outputSchema"):
        if key in tool:
            problem = _schema_problem(tool[key])
            if problem:
                raise ctx.violation("TOOL-03", f"{key} to be a valid JSON Schema", problem,
                                    sent={"method": "tools/list"})


@check("TOOL-04", "tools", "outputSchema root is an object", scope="tool")
def output_schema_object(ctx: CheckContext, tool: dict[str, Any]) -> None:
    ctx.require_version(("2025-06-18", "2025-11-25"))
    if "outputSchema" not in tool:
        raise NotApplicable(f"tool {tool.get('name')!r} declares no outputSchema")
    schema = tool["outputSchema"]
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise ctx.violation("TOOL-04", 'outputSchema with "type": "object"', show(schema),
                            sent={"method": "tools/list"})


@check("TOOL-05", "tools", "tools/call result shape", scope="tool")
def call_result_shape(ctx: CheckContext, tool: dict[str, Any]) -> None:
    call = exercise(ctx, tool, report=True)
    if call.interim:
        raise NotApplicable(f"tool {tool.get('name')!r} asks the client for input first (MOD-10..23 judge that): "
                            f"{show(call.reply.response)}")
    if not call.reply.ok:
        raise NotApplicable(f"the example call was answered with a JSON-RPC error, not a result, so there is no "
                            f"result to judge (TOOL-13 judges the error): {show(call.reply.error, 200)}")
    result = call.reply.result
    if not isinstance(result, dict):
        raise ctx.violation("TOOL-05", "a result object with a content array", show(result), wire=ctx.wire(),
                            sent=call.reply.request)
    content = result.get("content")
    problems = [] if isinstance(content, list) else [f"content: required array, got {show(content)}"]
    for index, block in enumerate(content if isinstance(content, list) else []):
        problems += content_problems(block, ctx.version, f"content[{index}]")
    if "isError" in result and not isinstance(result["isError"], bool):
        problems.append(f"isError: must be a boolean, got {show(result['isError'])}")
    if problems:
        raise ctx.violation("TOOL-05", "content: an array of valid content blocks", "; ".join(problems[:3]),
                            wire=ctx.wire(), sent=call.reply.request)


@check("TOOL-13", "tools", "tool failures are results, not protocol errors", scope="tool")
def valid_call_gets_result(ctx: CheckContext, tool: dict[str, Any]) -> None:
    call = exercise(ctx, tool)
    if call.reply.error_code == MISSING_CLIENT_CAPABILITY and ctx.modern:
        raise NotApplicable(f"tool {tool.get('name')!r} needs a client capability the example call did not declare; "
                            f"-32021 is the spec's protocol error for that, not a tool failure: "
                            f"{show(call.reply.error)}")
    if not call.reply.ok:
        raise ctx.violation("TOOL-13", "a tool result for schema-valid arguments (a failure as isError: true)",
                            f"JSON-RPC error {show(call.reply.error)}; reproduce: {call.reproduce(ctx)}",
                            wire=ctx.wire(), sent=call.reply.request)


@check("TOOL-06", "tools", "structured results match outputSchema", scope="tool")
def structured_output_valid(ctx: CheckContext, tool: dict[str, Any]) -> None:
    ctx.require_version(("2025-06-18", "2025-11-25", "2026-07-28"))
    schema = tool.get("outputSchema")
    if not isinstance(schema, dict):
        raise NotApplicable(f"tool {tool.get('name')!r} declares no outputSchema")
    call = exercise(ctx, tool)
    if call.result is None or call.is_error or call.interim:
        raise NotApplicable(f"the example call did not succeed, so there is no structured result to judge "
                            f"({call.reproduce(ctx)})")
    if "structuredContent" not in call.result:
        raise ctx.violation("TOOL-06", "structuredContent, since the tool declares an outputSchema",
                            f"no structuredContent in {show(call.result)}", wire=ctx.wire(), sent=call.reply.request)
    errors = sorted(validator_for(schema).iter_errors(call.result["structuredContent"]), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(root)"
        raise ctx.violation("TOOL-06", "structuredContent valid against outputSchema", f"{where}: {errors[0].message}",
                            wire=ctx.wire(), sent=call.reply.request)


@check("TOOL-07", "tools", "structured results are mirrored as text", scope="tool")
def structured_output_mirrored(ctx: CheckContext, tool: dict[str, Any]) -> None:
    ctx.require_version(("2025-06-18", "2025-11-25", "2026-07-28"))
    call = exercise(ctx, tool)
    if call.result is None or "structuredContent" not in call.result or call.interim:
        raise NotApplicable(f"tool {tool.get('name')!r} returned no structuredContent")
    structured = call.result["structuredContent"]
    wanted = [structured]
    if isinstance(structured, dict) and set(structured) == {"result"}:
        wanted.append(structured["result"])
    for block in call.result.get("content") or []:
        if isinstance(block, dict) and block.get("type") == "text":
            try:
                if json.loads(block.get("text", "")) in wanted:
                    return
            except (ValueError, TypeError):
                continue
    raise ctx.violation("TOOL-07", "a text content block holding the serialized structuredContent",
                        show(call.result.get("content")), wire=ctx.wire(), sent=call.reply.request)


@check("TOOL-08", "tools", "unknown tools are a protocol error")
def unknown_tool(ctx: CheckContext) -> None:
    ctx.require("tools")
    wire = ctx.wire()
    reply = wire.request("tools/call", {"name": UNKNOWN_TOOL, "arguments": {}})
    if reply.error is None:
        raise ctx.violation("TOOL-08", "a JSON-RPC error response for an unknown tool (any code; -32602 is the spec's "
                            "example)", show(reply.response), wire=wire, sent=reply.request)


@check("TOOL-09", "tools", "malformed tools/call gets -32602")
def malformed_call(ctx: CheckContext) -> None:
    ctx.require("tools")
    plain = [t for t in ctx.surface.items("tools") if needs_task(ctx, t) is None]
    wire = ctx.wire()
    # over 2026-07-28 HTTP a call without a name has no Mcp-Name header: header validation may refuse it first
    accepted = (-32602, -32020) if ctx.modern and ctx.transport == "http" else (-32602,)
    probes: list[dict[str, Any]] = [{"arguments": {}}]
    if plain:
        probes.append({"name": plain[0].get("name"), "arguments": [1]})
    for params in probes:
        reply = wire.request("tools/call", params)
        if reply.error_code not in accepted:
            raise ctx.violation("TOOL-09", f"-32602 for tools/call params {show(params)}", show(reply.response),
                                wire=wire, sent=reply.request)


def invalid_arguments(schema: Any) -> list[tuple[dict[str, Any], str]]:
    """Sets of arguments that violate ``schema``, one per kind of violation, with what was broken.

    Raises:
        NotApplicable: the schema admits every object (nothing to violate).
    """
    valid = example_arguments(schema)
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    kinds: dict[str, list[tuple[dict[str, Any], str]]] = {"missing": [], "type": [], "extra": []}
    for name in schema.get("required", []) or []:
        if name in valid:
            without = {k: v for k, v in valid.items() if k != name}
            kinds["missing"].append((without, f"required property {name!r} removed"))
    for name, prop in props.items():
        if isinstance(prop, dict) and prop.get("type") in ("integer", "number", "boolean", "array", "object"):
            wrong = {**valid, name: "mcptest-not-a-" + str(prop["type"])}
            kinds["type"].append((wrong, f"{name!r} given a string instead of {prop['type']}"))
        elif isinstance(prop, dict) and prop.get("type") == "string":
            kinds["type"].append(({**valid, name: 12345}, f"{name!r} given a number instead of a string"))
    if schema.get("additionalProperties") is False:
        extra = {**valid, "mcptestUnexpected": 1}
        kinds["extra"].append((extra, "an extra property although additionalProperties is false"))
    validator = validator_for(schema)
    chosen = [next((c for c in candidates if list(validator.iter_errors(c[0]))), None) for candidates in kinds.values()]
    found = [c for c in chosen if c is not None]
    if not found:
        raise NotApplicable("the inputSchema accepts every object, so there are no invalid arguments to send")
    return found


@check("TOOL-10", "tools", "schema-invalid arguments are rejected", scope="tool")
def invalid_arguments_rejected(ctx: CheckContext, tool: dict[str, Any]) -> None:
    callable_tool(ctx, tool)
    for arguments, what in invalid_arguments(tool.get("inputSchema")):
        call = call_tool(ctx, tool, arguments)
        if call.interim:
            continue  # asking for client input is no success
        if call.reply.ok and not call.is_error:
            raise ctx.violation("TOOL-10", f"a rejection: an isError result or any JSON-RPC error ({what})",
                                f"success: {show(call.result)}; reproduce: {call.reproduce(ctx)}", wire=ctx.wire(),
                                sent=call.reply.request)


__all__ = ["invalid_arguments", "safe_tools"]
