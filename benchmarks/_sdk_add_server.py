"""The bare SDK baseline server: an ``MCPServer`` with one ``add`` tool and nothing else, over stdio or HTTP.

    python benchmarks/_sdk_add_server.py                              # stdio
    python benchmarks/_sdk_add_server.py --transport http --port 8000  # streamable HTTP on 127.0.0.1:8000/mcp

Over HTTP it is served the way the reference server is: ``streamable_http_app()`` under uvicorn, one worker,
stateful sessions, SSE responses, no access log, with an unauthenticated ``/health`` for the readiness poll.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from mcp.server import MCPServer


def build() -> MCPServer:
    """The server object (also used in-process by session_vs_client.py)."""
    server = MCPServer("bench-add", instructions="One tool: add.")

    @server.tool(title="Add")
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    return server


def http_app(server: MCPServer) -> Any:
    """``/mcp`` (the SDK's streamable HTTP app, its defaults) plus ``/health``."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    mcp_app = server.streamable_http_app()

    async def health(_: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with mcp_app.router.lifespan_context(mcp_app):  # runs the SDK's session manager
            yield

    return Starlette(routes=[Route("/health", health), Mount("/", app=mcp_app)], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server = build()
    if args.transport == "stdio":
        server.run("stdio")
        return
    import uvicorn

    uvicorn.run(http_app(server), host="127.0.0.1", port=args.port, log_level="warning", access_log=False,
                log_config=None)


if __name__ == "__main__":
    main()
