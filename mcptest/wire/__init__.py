"""Raw JSON-RPC channels to a server: send any bytes or message, read with a deadline.

The HTTP wire (and its HTTP client library) is imported on first use, so a stdio run never pays for it.
"""

from mcptest._lazy import lazy_exports
from mcptest.wire.base import Reply, RequestTimeout, Transcript, Wire, WireError
from mcptest.wire.stdio import StdioWire

__all__ = ["HttpExchange", "HttpWire", "Reply", "RequestTimeout", "StdioWire", "Transcript", "Wire", "WireError"]
__getattr__ = lazy_exports("mcptest.wire", {"HttpExchange": "mcptest.wire.http", "HttpWire": "mcptest.wire.http"})
