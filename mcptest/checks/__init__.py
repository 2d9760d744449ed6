"""The conformance checks, one module per area; importing this package registers them all."""

from mcptest.checks import fuzz, http, jsonrpc, lifecycle, prompts, resources, stateful, stdio, tools, utilities
from mcptest.checks.base import CHECKS, Check, CheckContext

__all__ = ["CHECKS", "Check", "CheckContext", "fuzz", "http", "jsonrpc", "lifecycle", "prompts", "resources", "stateful",
           "stdio", "tools", "utilities"]
