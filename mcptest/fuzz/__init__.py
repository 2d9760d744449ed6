"""Property-based fuzzing of MCP tools: valid and invalid arguments drawn from each tool's `inputSchema`."""

from mcptest.fuzz.mutations import Mutation, invalid_tool_arguments
from mcptest.fuzz.schema import NoInvalidArguments, UnsupportedSchema
from mcptest.fuzz.strategies import tool_arguments

__all__ = ["Mutation", "NoInvalidArguments", "UnsupportedSchema", "invalid_tool_arguments", "tool_arguments"]
