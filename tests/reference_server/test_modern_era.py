"""The 2026-07-28 era over real Streamable HTTP (one server process for the module): discovery and the result
envelope, ``x-mcp-header``, maintenance mode through an input-required result, list changes and resource updates
on ``subscriptions/listen`` streams, and ``batch_operations`` as a task of the tasks extension."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _modern import TASKS, ModernClient, http_server
from mcp.shared.inbound import find_invalid_x_mcp_header

pytestmark = pytest.mark.anyio
ELICITATION = {"elicitation": {}}
WITH_TASKS = {"extensions": {TASKS: {}}}
ENTER = {"enabled": True, "reason": "database upgrade"}


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One reference server (writes allowed, SQLite file) shared by the module's tests."""
    db: Path = tmp_path_factory.mktemp("modern") / "modern.db"
    with http_server(env={"DATABASE_URL": f"sqlite:///{db}", "MCP_DB_ALLOW_WRITES": "1"}) as url:
        yield url


@pytest.fixture
async def client(server_url: str) -> AsyncIterator[ModernClient]:
    """A 2026-07-28 client of the shared server."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(20, read=None), trust_env=False) as http:
        yield ModernClient(server_url, http)


async def tools(client: ModernClient) -> dict[str, dict[str, Any]]:
    """Every listed tool by name (following nextCursor)."""
    listed: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        page = (await client.call("tools/list", {"cursor": cursor} if cursor else {})).result
        listed.update({tool["name"]: tool for tool in page["tools"]})
        cursor = page.get("nextCursor")
        if not cursor:
            return listed


async def test_discovery_and_every_result_carry_the_2026_envelope(client: ModernClient) -> None:
    discovered = (await client.call("server/discover")).result
    assert "2026-07-28" in discovered["supportedVersions"] and discovered["resultType"] == "complete"
    assert discovered["ttlMs"] == 300_000 and discovered["cacheScope"] == "public"  # fixed while the process runs
    capabilities = discovered["capabilities"]
    assert capabilities["tools"]["listChanged"] and capabilities["resources"]["subscribe"]
    assert capabilities["extensions"] == {TASKS: {}}
    listing = (await client.call("tools/list")).result  # maintenance mode changes it: not to be cached
    assert listing["resultType"] == "complete" and listing["ttlMs"] == 0 and listing["cacheScope"] == "private"
    templates = (await client.call("resources/templates/list")).result
    assert templates["ttlMs"] == 300_000 and templates["cacheScope"] == "public"
    health = (await client.tool("health_check", {})).result
    assert health["resultType"] == "complete" and health["structuredContent"]["status"] == "healthy"
    assert health["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "mcp-reference-server"


async def test_api_request_mirrors_its_service_into_a_header(client: ModernClient) -> None:
    schema = (await tools(client))["api_request"]["inputSchema"]
    assert schema["properties"]["service"]["x-mcp-header"] == "Service"
    assert find_invalid_x_mcp_header(schema) is None
    params = {"name": "api_request", "arguments": {"service": "users", "method": "GET", "endpoint": "/users/1"}}
    mirrored = await client.call("tools/call", params, headers={"Mcp-Param-Service": "users"})
    assert mirrored.status == 200 and mirrored.result["isError"]  # no service "users" is configured: a tool error
    for headers in ({"Mcp-Param-Service": "orders"}, {}):  # a different value, or the header left out
        refused = await client.call("tools/call", params, headers=headers)
        assert refused.status == 400 and refused.error["code"] == -32020, headers


async def confirm(client: ModernClient, asked: dict[str, Any], answer: dict[str, Any], state: str) -> Any:
    """Retry ``set_maintenance_mode`` with ``answer`` to its one input request and the state ``state``."""
    ((key, _),) = asked["inputRequests"].items()
    responses = {key: answer}
    return await client.tool("set_maintenance_mode", ENTER, ELICITATION, inputResponses=responses, requestState=state)


async def test_maintenance_is_confirmed_through_an_input_required_result(client: ModernClient) -> None:
    async with client.listen({"toolsListChanged": True}) as stream:
        missing = await client.tool("set_maintenance_mode", ENTER)  # no elicitation capability declared
        assert missing.status == 400 and missing.error["code"] == -32021
        assert missing.error["data"]["requiredCapabilities"]["elicitation"] is not None

        asked = (await client.tool("set_maintenance_mode", ENTER, ELICITATION)).result
        assert asked["resultType"] == "input_required" and isinstance(asked["requestState"], str)
        ((request),) = asked["inputRequests"].values()
        assert request["method"] == "elicitation/create" and "create_user" in request["params"]["message"]
        yes = {"action": "accept", "content": {"confirm": True}}
        tampered = await confirm(client, asked, yes, asked["requestState"][:-4] + "AAAA")
        assert tampered.error["code"] == -32602
        declined = (await confirm(client, asked, {"action": "decline"}, asked["requestState"])).result
        assert declined["isError"] and "declined" in declined["content"][0]["text"]
        assert stream.pending() == []  # nothing changed

        asked = (await client.tool("set_maintenance_mode", ENTER, ELICITATION)).result
        confirmed = (await confirm(client, asked, yes, asked["requestState"])).result
        try:
            state = confirmed["structuredContent"]
            assert state["active"] and state["changed"] and "create_user" in state["withdrawn_tools"]
            change = await stream.next()
            assert change["method"] == "notifications/tools/list_changed"
            subscription = "io.modelcontextprotocol/subscriptionId"
            assert change["params"]["_meta"][subscription] == stream.acknowledgement["params"]["_meta"][subscription]
            listed = await tools(client)
            assert "create_user" not in listed and "get_user" in listed and "set_maintenance_mode" in listed
            refused = await client.tool("create_user", {"name": "Ada", "email": "ada@example.com"})
            assert refused.error["code"] == -32602 and "database upgrade" in refused.error["message"]
        finally:
            left = (await client.tool("set_maintenance_mode", {"enabled": False})).result  # no confirmation needed
        assert left["structuredContent"]["active"] is False
        assert (await stream.next())["method"] == "notifications/tools/list_changed"
    assert "create_user" in await tools(client)


async def test_resource_updates_reach_the_streams_that_asked(client: ModernClient) -> None:
    created = (await client.tool("create_user", {"name": "Grace", "email": "grace@example.com"})).result
    user_id = created["structuredContent"]["id"]
    uri = f"users://{user_id}"
    async with client.listen({"resourceSubscriptions": [uri]}) as watching:
        async with client.listen({"toolsListChanged": True}) as other:
            assert watching.acknowledgement["params"]["notifications"]["resourceSubscriptions"] == [uri]
            await client.tool("update_user", {"user_id": user_id, "name": "Grace Hopper"})
            update = await watching.next()
            assert update["method"] == "notifications/resources/updated" and update["params"]["uri"] == uri
            assert other.pending() == []  # a stream that did not ask for it never gets it


async def test_batch_operations_runs_as_a_task_when_the_request_declares_the_extension(client: ModernClient) -> None:
    operations = {"operations": [{"query": "SELECT 1 AS one"}, {"query": "SELECT 2 AS two"}]}
    synchronous = (await client.tool("batch_operations", operations)).result
    assert synchronous["resultType"] == "complete" and synchronous["structuredContent"]["committed"]

    created = (await client.tool("batch_operations", operations, WITH_TASKS)).result
    assert created["resultType"] == "task" and created["status"] in ("working", "completed")
    assert isinstance(created["ttlMs"], int) and "result" not in created and "requestState" not in created
    task_id = created["taskId"]
    task = await poll(client, task_id)
    assert task["status"] == "completed" and task["resultType"] == "complete"
    assert task["result"]["structuredContent"]["operation_count"] == 2 and not task["result"]["isError"]

    assert (await client.call("tasks/get", {"taskId": task_id})).error["code"] == -32021  # declared per request
    assert (await client.call("tasks/get", {"taskId": "no-such-task"}, WITH_TASKS)).error["code"] == -32602
    mismatch = await client.call("tasks/get", {"taskId": task_id}, WITH_TASKS, headers={"Mcp-Name": "other-task"})
    assert mismatch.status == 400 and mismatch.error["code"] == -32020
    ack = (await client.call("tasks/cancel", {"taskId": task_id}, WITH_TASKS)).result  # finished: left as it is
    assert ack["resultType"] == "complete" and "status" not in ack
    assert (await poll(client, task_id))["status"] == "completed"


async def poll(client: ModernClient, task_id: str, timeout: float = 20) -> dict[str, Any]:
    """``tasks/get`` until the task is terminal, at its ``pollIntervalMs`` (bounded by ``timeout``)."""
    with anyio.fail_after(timeout):
        while True:
            task = (await client.call("tasks/get", {"taskId": task_id}, WITH_TASKS)).result
            if task["status"] in ("completed", "failed", "cancelled"):
                return task
            await anyio.sleep(task["pollIntervalMs"] / 1000)


async def test_task_notifications_need_the_extension_and_none_are_promised(client: ModernClient) -> None:
    refused = await client.call("subscriptions/listen", {"notifications": {"taskIds": ["some-task"]}})
    assert refused.status == 400 and refused.error["code"] == -32021
    assert refused.error["data"]["requiredCapabilities"]["extensions"] == {TASKS: {}}
    async with client.listen({"taskIds": ["some-task"], "toolsListChanged": True}, WITH_TASKS) as stream:
        assert stream.acknowledgement["params"]["notifications"] == {"toolsListChanged": True}  # no taskIds agreed
