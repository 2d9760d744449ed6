"""Serve an importable server object over stdio: ``python -m mcptest.launch.pyserve package.module:attr``.

This is how a ``py:package.module:attr`` target reaches the raw wires, the SDK sessions and the suite: the
object is imported in a child process and served on its stdin/stdout like any stdio server. ``attr`` may
be an ``MCPServer``, a low-level ``mcp.server.Server``, or a callable returning one of them.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any


def load(ref: str) -> Any:
    """The object ``ref`` (``package.module:attr``) names, called first when it is a factory function.

    Raises:
        SystemExit: the module or attribute cannot be found, with a message saying which.
    """
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SystemExit(f"mcptest: cannot import {module_name!r} for py:{ref}: {exc}") from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise SystemExit(f"mcptest: {module_name!r} has no attribute {attr!r} (py:{ref})")
        obj = getattr(obj, part)
    if callable(obj) and not hasattr(obj, "run"):
        obj = obj()
    return obj


def serve(obj: Any) -> None:
    """Serve ``obj`` over this process's stdin/stdout until stdin closes."""
    from mcp.server import MCPServer, Server

    if isinstance(obj, MCPServer):
        obj.run("stdio")
        return
    if isinstance(obj, Server):
        import anyio
        from mcp.server.stdio import stdio_server

        async def run() -> None:
            async with stdio_server() as (read_stream, write_stream):
                await obj.run(read_stream, write_stream, obj.create_initialization_options())

        anyio.run(run)
        return
    raise SystemExit(f"mcptest: {type(obj).__name__} is not an MCPServer or mcp.server.Server; "
                     "py:module:attr must name a server object (or a function returning one)")


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python -m mcptest.launch.pyserve package.module:attr``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or ":" not in args[0]:
        raise SystemExit("usage: python -m mcptest.launch.pyserve package.module:attr")
    sys.path.insert(0, "")
    serve(load(args[0]))


if __name__ == "__main__":
    main()
