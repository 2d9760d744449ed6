"""A small MCP server whose tool fetches stock quotes from the API at QUOTES_API_URL, retrying server errors."""

from __future__ import annotations

import os

import httpx
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

ATTEMPTS = 3

server = MCPServer("quotes")


@server.tool()
def get_quote(symbol: str) -> float:
    """Latest price of `symbol`; server errors and dropped connections are retried up to 3 attempts."""
    headers = {"X-Api-Key": os.environ.get("QUOTES_API_KEY", "")}
    with httpx.Client(base_url=os.environ["QUOTES_API_URL"], headers=headers, timeout=5) as client:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = client.get(f"/quotes/{symbol}")
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise ToolError(f"the quotes API is unreachable after {ATTEMPTS} attempts: {exc}") from exc
                continue
            if response.status_code < 500 or attempt == ATTEMPTS:
                break
    if response.is_error:
        raise ToolError(f"the quotes API answered {response.status_code} for {symbol!r}")
    return float(response.json()["price"])


if __name__ == "__main__":
    server.run()
