"""A small MCP server whose tool calls an outside weather API with httpx."""

from __future__ import annotations

import os

import httpx
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

WEATHER_API = os.environ.get("WEATHER_API_URL", "https://api.weather.example/v1")

server = MCPServer("weather")


@server.tool()
async def forecast(city: str) -> str:
    """Today's forecast for `city`, from the weather API."""
    async with httpx.AsyncClient(base_url=WEATHER_API, timeout=10) as client:
        response = await client.get("/forecast", params={"city": city})
    if response.is_error:
        raise ToolError(f"the weather API answered {response.status_code} for {city!r}; try again later")
    data = response.json()
    return f"{city}: {data['summary']}, {data['temperature_c']} °C"


if __name__ == "__main__":
    server.run()
