"""The conformance checks, one module per area; importing this package registers them all."""

from mcptest.checks import (
    client_requests,
    fuzz,
    http,
    jsonrpc,
    lifecycle,
    notifications,
    prompts,
    resources,
    stdio,
    streams,
    tasks,
    tools,
    utilities,
)
from mcptest.checks.base import CHECKS, Check, CheckContext

__all__ = [
    "CHECKS",
    "Check",
    "CheckContext",
    "client_requests",
    "fuzz",
    "http",
    "jsonrpc",
    "lifecycle",
    "notifications",
    "prompts",
    "resources",
    "stdio",
    "streams",
    "tasks",
    "tools",
    "utilities",
]
