"""The official suite's input-required (MRTR, SEP-2322) fixtures: each asks for input in a first round and completes
when the client retries with the answers (and the echoed, integrity-protected ``requestState``)."""

from __future__ import annotations

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, UserMessage
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult

from reference_server.conformance.content import text_result
from reference_server.presentation import mrtr
from reference_server.presentation.protocol import is_modern

Outcome = CallToolResult | InputRequiredResult
NAME = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
COLOR = {"type": "object", "properties": {"color": {"type": "string"}}, "required": ["color"]}
OK = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
CONTEXT = {"type": "object", "properties": {"context": {"type": "string"}}, "required": ["context"]}
STATE_AWAITING = "awaiting-confirmation"
WHAT = "this tool"


def _modern_only(ctx: Context) -> None:
    """Input-required results exist only at 2026-07-28; the handshake era gets a tool error that says so."""
    if is_modern(ctx.request_context):
        return
    raise ToolError("this fixture answers with an input-required result, which exists only at protocol 2026-07-28")


def _confirmed(ctx: Context, key: str) -> Outcome:
    """Ask for an ``{ok}`` confirmation under ``key`` with a state, and check that state on the retry."""
    _modern_only(ctx)
    answer = mrtr.accepted(ctx, key)
    if answer is None or ctx.request_state != STATE_AWAITING:
        request = mrtr.elicitation("Please confirm", OK)
        return mrtr.ask(ctx, {key: request}, state=STATE_AWAITING, what=WHAT)
    return text_result(f"Confirmation received (ok={answer.get('ok')}); state-ok")


def register_mrtr(mcp: MCPServer) -> None:
    """The ``test_input_required_result_*`` tools and prompt."""

    @mcp.tool()
    def test_input_required_result_elicitation(ctx: Context) -> Outcome:
        """MRTR: asks the user's name (elicitation) under the key user_name, then greets them."""
        _modern_only(ctx)
        answer = mrtr.accepted(ctx, "user_name")
        if not answer or not isinstance(answer.get("name"), str):
            return mrtr.ask(ctx, {"user_name": mrtr.elicitation("What is your name?", NAME)}, what=WHAT)
        return text_result(f"Hello, {answer['name']}!")

    @mcp.tool()
    def test_input_required_result_sampling(ctx: Context) -> Outcome:
        """MRTR: asks the client's model a question (sampling), then reports the answer."""
        _modern_only(ctx)
        text = mrtr.sampled_text(ctx, "capital_question")
        if text is None:
            question = mrtr.sampling("What is the capital of France?", 100)
            return mrtr.ask(ctx, {"capital_question": question}, what=WHAT)
        return text_result(f"The model answered: {text}")

    @mcp.tool()
    def test_input_required_result_list_roots(ctx: Context) -> Outcome:
        """MRTR: asks for the client's roots (roots/list), then lists them."""
        _modern_only(ctx)
        uris = mrtr.root_uris(ctx, "client_roots")
        if uris is None:
            return mrtr.ask(ctx, {"client_roots": mrtr.roots()}, what=WHAT)
        return text_result(f"Client roots: {', '.join(uris) or 'none'}")

    @mcp.tool()
    def test_input_required_result_request_state(ctx: Context) -> Outcome:
        """MRTR: asks a confirmation with a requestState, and checks the echoed state on the retry."""
        return _confirmed(ctx, "confirm")

    @mcp.tool()
    def test_input_required_result_tampered_state(ctx: Context) -> Outcome:
        """MRTR: like request_state; a tampered requestState is rejected (-32602) before the tool runs."""
        return _confirmed(ctx, "confirm")

    @mcp.tool()
    def test_input_required_result_multiple_inputs(ctx: Context) -> Outcome:
        """MRTR: asks an elicitation, a sampling and a roots/list request in one round."""
        _modern_only(ctx)
        name, greeting, uris = (
            mrtr.accepted(ctx, "user_name"),
            mrtr.sampled_text(ctx, "greeting"),
            mrtr.root_uris(ctx, "client_roots"),
        )
        if name is None or greeting is None or uris is None or ctx.request_state != "all-three":
            requests = {
                "user_name": mrtr.elicitation("What is your name?", NAME),
                "greeting": mrtr.sampling("Generate a greeting", 50),
                "client_roots": mrtr.roots(),
            }
            return mrtr.ask(ctx, requests, state="all-three", what=WHAT)
        return text_result(f"{greeting} {name.get('name')} (roots: {', '.join(uris) or 'none'})")

    @mcp.tool()
    def test_input_required_result_multi_round(ctx: Context) -> Outcome:
        """MRTR: two rounds of questions, the state carrying the first answer into the second."""
        _modern_only(ctx)
        state = ctx.request_state or ""
        if state.startswith("step2:"):
            color = mrtr.accepted(ctx, "step2")
            if color is not None:
                return text_result(f"{state.removeprefix('step2:')} likes {color.get('color')}")
            return mrtr.ask(ctx, {"step2": _color_question()}, state=state, what=WHAT)
        name = mrtr.accepted(ctx, "step1") if state == "step1" else None
        if name is None:
            question = mrtr.elicitation("Step 1: What is your name?", NAME)
            return mrtr.ask(ctx, {"step1": question}, state="step1", what=WHAT)
        return mrtr.ask(ctx, {"step2": _color_question()}, state=f"step2:{name.get('name')}", what=WHAT)

    @mcp.tool()
    def test_input_required_result_capabilities(ctx: Context) -> Outcome:
        """MRTR: asks only what the request's clientCapabilities allow (elicitation and/or sampling)."""
        _modern_only(ctx)
        answers = {"user_name": mrtr.accepted(ctx, "user_name"), "summary": mrtr.sampled_text(ctx, "summary")}
        wanted = {
            "user_name": mrtr.elicitation("What is your name?", NAME),
            "summary": mrtr.sampling("Summarise the request in one sentence", 50),
        }
        usable = {key: request for key, request in wanted.items() if mrtr.capability_for(request) in mrtr.declared(ctx)}
        if not usable:
            raise mrtr.missing_capability({"elicitation", "sampling"}, what=WHAT)
        unanswered = {key: request for key, request in usable.items() if answers[key] is None}
        if unanswered:
            return mrtr.ask(ctx, unanswered, what=WHAT)
        return text_result(f"answers: {', '.join(f'{key}={answers[key]!r}' for key in usable)}")

    @mcp.prompt()
    def test_input_required_result_prompt(ctx: Context) -> list[UserMessage] | InputRequiredResult:
        """MRTR: a prompt that asks which context to use before it renders."""
        if not is_modern(ctx.request_context):
            return [UserMessage("Prompt with context: none (asking for it needs protocol 2026-07-28)")]
        answer = mrtr.accepted(ctx, "user_context")
        if answer is None:
            question = mrtr.elicitation("What context should the prompt use?", CONTEXT)
            return mrtr.ask(ctx, {"user_context": question}, what="this prompt")
        return [UserMessage(f"Prompt with context: {answer.get('context')}")]


def _color_question() -> mrtr.InputRequest:
    return mrtr.elicitation("Step 2: What is your favorite color?", COLOR)
