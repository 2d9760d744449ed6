"""Command line: ``python -m reference_server --transport stdio|http|sse [--host H --port N] [--config FILE]``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Sequence

import anyio

from reference_server.config import ENVIRONMENTS, ConfigError, ServerConfig, load_config
from reference_server.logs import configure_logging
from reference_server.server import build_server

logger = logging.getLogger("reference_server")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m reference_server", description="The mcptest reference MCP server.")
    parser.add_argument(
        "--transport",
        choices=("stdio", "http", "sse"),
        default="stdio",
        help="stdio (default), streamable HTTP on /mcp, or the legacy HTTP+SSE transport (GET /sse, POST /messages/)",
    )
    parser.add_argument("--host", help="HTTP bind address (default from config: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="HTTP port (default from config: 8000; 0 picks a free one)")
    parser.add_argument("--config", help="YAML or JSON config file")
    parser.add_argument("--env", choices=ENVIRONMENTS, help="apply the packaged config/<env>.yaml first")
    parser.add_argument(
        "--conformance",
        action="store_true",
        help="also serve the official conformance suite's fixture tools/resources/prompts",
    )
    return parser.parse_args(argv)


def effective_config(args: argparse.Namespace) -> ServerConfig:
    """Config from files and environment, then command-line overrides."""
    config = load_config(args.config, environment=args.env)
    http = config.http
    if args.host:
        http = dataclasses.replace(http, host=args.host)
    if args.port is not None:
        http = dataclasses.replace(http, port=args.port)
    return dataclasses.replace(config, http=http, conformance=config.conformance or args.conformance)


def serve_http(config: ServerConfig, transport: str = "http") -> None:
    """Run uvicorn with the streamable HTTP (or legacy SSE) ASGI app; blocks until SIGINT/SIGTERM."""
    import uvicorn

    from reference_server.http import create_app, create_sse_app

    factory = create_sse_app if transport == "sse" else create_app
    app = factory(build_server(config), config)
    uvicorn.run(
        app,
        host=config.http.host,
        port=config.http.port,
        log_level=config.log_level.lower(),
        access_log=False,
        log_config=None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point (also the ``mcp-reference-server`` script). Returns the process exit code."""
    args = parse_args(argv)
    try:
        config = effective_config(args)
    except ConfigError as exc:
        print(f"reference_server: {exc}", file=sys.stderr)
        return 2
    configure_logging(config)
    logger.info("starting %s %s (%s) over %s", config.name, config.version, config.environment, args.transport)
    if args.transport in ("http", "sse"):
        serve_http(config, args.transport)
        return 0
    from reference_server.stdio import run_stdio

    anyio.run(run_stdio, build_server(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
