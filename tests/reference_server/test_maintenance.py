"""Maintenance mode through the SDK client in memory, on both eras: a standalone ``elicitation/create`` request on
the handshake era (a tool error when the client cannot answer it), the input-required round trip at 2026-07-28
(answered by the SDK client itself), and ``notifications/tools/list_changed`` on the handshake-era session."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams, ElicitResult, ToolListChangedNotification

from reference_server.config import ServerConfig
from reference_server.presentation.maintenance import TOOL_NAME
from reference_server.server import build_server

pytestmark = pytest.mark.anyio
ENTER = {"enabled": True, "reason": "index rebuild"}


class Person:
    """Answers every elicitation with ``action`` (and ``confirm`` when accepting); remembers the questions."""

    def __init__(self, action: str = "accept", confirm: bool = True) -> None:
        self.action, self.confirm = action, confirm
        self.questions: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.questions.append(params.message)
        content = {"confirm": self.confirm} if self.action == "accept" else None
        return ElicitResult(action=self.action, content=content)  # type: ignore[arg-type]


def server() -> Any:
    return build_server(ServerConfig(log_level="WARNING"))


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_entering_needs_a_yes_and_withdraws_the_tools_that_change_data(mode: str) -> None:
    person, notes = Person(), []

    async def on_message(message: Any) -> None:
        notes.append(message)

    async with Client(server(), mode=mode, cache=None, elicitation_callback=person, message_handler=on_message) as c:
        entered = await c.call_tool(TOOL_NAME, ENTER)
        assert not entered.is_error and entered.structured_content["active"] is True
        withdrawn = set(entered.structured_content["withdrawn_tools"])
        assert {"create_user", "update_user", "batch_operations"} <= withdrawn and TOOL_NAME not in withdrawn
        assert len(person.questions) == 1 and "index rebuild" in person.questions[0]
        again = await c.call_tool(TOOL_NAME, ENTER)  # already in maintenance: no second question, no change
        assert again.structured_content["changed"] is False and len(person.questions) == 1
        listed = set()
        cursor = None
        while True:
            page = await c.list_tools(cursor=cursor)
            listed |= {t.name for t in page.tools}
            if not (cursor := page.next_cursor):
                break
        assert not listed & withdrawn and "get_user" in listed
        left = await c.call_tool(TOOL_NAME, {"enabled": False})
        assert left.structured_content["active"] is False and left.structured_content["withdrawn_tools"] == []
    if mode == "legacy":  # at 2026-07-28 changes are announced only on subscriptions/listen (test_modern_era.py)
        assert sum(isinstance(n, ToolListChangedNotification) for n in notes) == 2


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_a_declined_or_refused_confirmation_changes_nothing(mode: str) -> None:
    for person, why in ((Person("decline"), "declined"), (Person("accept", confirm=False), "not confirmed")):
        async with Client(server(), mode=mode, cache=None, elicitation_callback=person) as client:
            result = await client.call_tool(TOOL_NAME, ENTER)
            assert result.is_error and why in result.content[0].text
            assert not (await client.call_tool("health_check", {})).is_error


async def test_a_handshake_client_without_elicitation_is_told_what_to_declare() -> None:
    async with Client(server(), mode="legacy", cache=None) as client:  # no elicitation callback: not declared
        result = await client.call_tool(TOOL_NAME, ENTER)
        assert result.is_error and "elicitation capability" in result.content[0].text
        assert "create_user" in {t.name for t in (await client.list_tools()).tools}
