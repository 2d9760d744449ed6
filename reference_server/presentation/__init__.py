"""MCP presentation layer: tools, resources, prompts and protocol behaviour."""
