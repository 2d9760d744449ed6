"""The conformance checks, one module per area; importing this package registers them all."""

from mcptest.checks import fuzz, http, jsonrpc, lifecycle, prompts, resources, schema, sse, stdio, tools, utilities
from mcptest.checks import mhttp, modern, modern_flow, modern_listen, modern_mrtr, modern_results, modern_tools
from mcptest.checks.base import CHECKS, Check, CheckContext

__all__ = ["CHECKS", "Check", "CheckContext", "fuzz", "http", "jsonrpc", "lifecycle", "mhttp", "modern", "modern_flow",
           "modern_listen", "modern_mrtr", "modern_results", "modern_tools", "prompts", "resources", "schema", "sse",
           "stdio", "tools", "utilities"]
