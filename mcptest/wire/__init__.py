"""Raw JSON-RPC channels to a server: send any bytes or message, read with a deadline."""

from mcptest.wire.base import Reply, RequestTimeout, Transcript, Wire, WireError
from mcptest.wire.http import HttpExchange, HttpWire
from mcptest.wire.stdio import StdioWire

__all__ = ["HttpExchange", "HttpWire", "Reply", "RequestTimeout", "StdioWire", "Transcript", "Wire", "WireError"]
