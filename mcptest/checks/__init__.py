"""The conformance checks, one module per area; importing this package registers them all."""

from mcptest.checks import client_requests, fuzz, http, jsonrpc, lifecycle, notifications, prompts, resources, schema
from mcptest.checks import mhttp, modern, modern_flow, modern_listen, modern_mrtr, modern_results, modern_tools
from mcptest.checks import sse, stateful, stdio, streams, tasks, tools, utilities
from mcptest.checks.base import CHECKS, Check, CheckContext

__all__ = ["CHECKS", "Check", "CheckContext", "client_requests", "fuzz", "http", "jsonrpc", "lifecycle", "mhttp",
           "modern", "modern_flow", "modern_listen", "modern_mrtr", "modern_results", "modern_tools", "notifications",
           "prompts", "resources", "schema", "sse", "stateful", "stdio", "streams", "tasks", "tools", "utilities"]
