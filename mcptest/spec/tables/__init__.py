"""The requirement tables, one module per area; ``TABLES`` lists them in the order `mcptest checks` shows them."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables import (
    client,
    http,
    jsonrpc,
    lifecycle,
    mhttp,
    modern,
    resources,
    stdio,
    tools,
    utilities,
)

TABLES: tuple[tuple[Requirement, ...], ...] = (
    jsonrpc.TABLE,
    lifecycle.TABLE,
    utilities.TABLE,
    tools.TABLE,
    resources.TABLE,
    stdio.TABLE,
    http.TABLE,
    mhttp.TABLE,
    modern.TABLE,
    client.TABLE,
)
