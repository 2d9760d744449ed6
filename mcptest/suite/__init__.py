"""The built-in conformance suite that ``pytest --mcp-server TARGET`` collects."""
