"""What the MCP specification requires, per protocol version: requirement ids, levels, eras."""
