"""Real stand-ins for what servers depend on: throwaway databases, respx HTTP mocks, a stub HTTP server.

Names are imported on first use, so loading the pytest plugin does not import respx or database drivers.
"""

from __future__ import annotations

from mcptest._lazy import lazy_exports

_EXPORTS = {
    "ThrowawayDatabase": "mcptest.mocks.db",
    "throwaway_database": "mcptest.mocks.db",
    "MockConfigError": "mcptest.mocks.errors",
    "ServiceUnavailableError": "mcptest.mocks.errors",
    "HttpMock": "mcptest.mocks.http",
    "HttpMockOptions": "mcptest.mocks.http",
    "http_mock": "mcptest.mocks.http",
    "RecordedRequest": "mcptest.mocks.stub_models",
    "StubResponse": "mcptest.mocks.stub_models",
    "StubRoute": "mcptest.mocks.stub_models",
    "StubServer": "mcptest.mocks.stub_server",
}
__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports("mcptest.mocks", _EXPORTS)
