"""Errors raised by the mock fixtures' library: bad configuration and unreachable services."""

from __future__ import annotations


class MockConfigError(ValueError):
    """A mock was configured wrongly (bad marker option, seed file, database URL...).

    The message says what was wrong and how to fix it.
    """


class ServiceUnavailableError(RuntimeError):
    """A service a mock needs (e.g. the PostgreSQL server) could not be reached or used."""
