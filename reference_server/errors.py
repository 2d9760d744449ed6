"""Typed errors raised by the data, domain and integration layers; the MCP layer maps them to tool errors."""

from __future__ import annotations


class ReferenceServerError(Exception):
    """Base class: the message is safe to show to the MCP client and says how to fix the problem."""


class InvalidInput(ReferenceServerError):
    """The caller's input is invalid (bad email, empty name, disallowed SQL, ...)."""


class NotFound(ReferenceServerError):
    """The requested entity does not exist."""


class Conflict(ReferenceServerError):
    """The request conflicts with existing state (for example a duplicate email)."""


class QueryRejected(InvalidInput):
    """A SQL statement was refused by policy (several statements, a write on a read-only server, DDL, ...)."""


class DatabaseError(ReferenceServerError):
    """The database failed to run a statement (syntax error, constraint, timeout, unavailable)."""


class UpstreamError(ReferenceServerError):
    """An external HTTP service failed, timed out or answered with an error status."""

    def __init__(self, message: str, *, service: str, status: int | None = None) -> None:
        super().__init__(message)
        self.service = service
        self.status = status


class CircuitOpen(UpstreamError):
    """Calls to a service are short-circuited because it failed repeatedly."""


class NotConfigured(ReferenceServerError):
    """A feature needs configuration that is missing (unknown service, no database, ...)."""
