"""Tests of the weather server in memory, its outbound httpx calls answered by the mcp_http_mock respx router."""

from __future__ import annotations

import pytest
from mcp import Client
from weather_server import WEATHER_API, server

pytestmark = [pytest.mark.anyio, pytest.mark.mcp_http_mock(base_url=WEATHER_API)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_forecast_formats_the_api_answer(mcp_http_mock) -> None:
    route = mcp_http_mock.get("/forecast", params={"city": "Oslo"}).respond(
        200, json={"summary": "snow", "temperature_c": -3})
    async with Client(server, cache=None) as client:
        result = await client.call_tool("forecast", {"city": "Oslo"})
    assert result.content[0].text == "Oslo: snow, -3 °C"
    assert route.call_count == 1


async def test_an_api_outage_is_a_tool_error_not_a_crash(mcp_http_mock) -> None:
    mcp_http_mock.get("/forecast").respond(503)
    async with Client(server, cache=None) as client:
        result = await client.call_tool("forecast", {"city": "Oslo"})
    assert result.is_error and "503" in result.content[0].text
