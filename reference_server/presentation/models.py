"""Pydantic models for tool outputs: each becomes the tool's outputSchema and shapes its structuredContent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from reference_server.data.base import Column, QueryResult, UserRow
from reference_server.integrations.client import ApiResponse


class UserOut(BaseModel):
    """A user record."""

    id: int
    name: str
    email: str
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, row: UserRow) -> UserOut:
        """Convert a data-layer row."""
        return cls(id=row.id, name=row.name, email=row.email, created_at=row.created_at, updated_at=row.updated_at)


class UserListOut(BaseModel):
    """One page of users."""

    users: list[UserOut]
    next_cursor: str | None = Field(None, description="Pass as cursor to get the next page; null at the end")


class QueryOut(BaseModel):
    """Result of one SQL statement."""

    kind: Literal["rows", "command"]
    columns: list[str]
    rows: list[dict[str, Any]]
    row_count: int = Field(description="Rows returned (rows) or affected (command)")
    truncated: bool = Field(description="True when more rows existed than the row limit")

    @classmethod
    def of(cls, result: QueryResult) -> QueryOut:
        """Convert a data-layer result."""
        return cls(
            kind=result.kind,
            columns=list(result.columns),
            rows=list(result.rows),
            row_count=result.row_count,
            truncated=result.truncated,
        )


class BatchOut(BaseModel):
    """Results of a committed batch, in operation order."""

    committed: bool
    operation_count: int
    results: list[QueryOut]


class ColumnOut(BaseModel):
    """One table column."""

    name: str
    type: str
    nullable: bool
    default: str | None
    primary_key: bool

    @classmethod
    def of(cls, column: Column) -> ColumnOut:
        """Convert a data-layer column."""
        return cls(
            name=column.name,
            type=column.type,
            nullable=column.nullable,
            default=None if column.default is None else str(column.default),
            primary_key=column.primary_key,
        )


class TableSchemaOut(BaseModel):
    """The columns of a table."""

    table: str
    dialect: str
    columns: list[ColumnOut]


class ApiResponseOut(BaseModel):
    """An external service's answer."""

    service: str
    method: str
    url: str
    status: int
    ok: bool
    attempts: int
    body: Any = None

    @classmethod
    def of(cls, response: ApiResponse) -> ApiResponseOut:
        """Convert an integration-layer response."""
        return cls(
            service=response.service,
            method=response.method,
            url=response.url,
            status=response.status,
            ok=response.ok,
            attempts=response.attempts,
            body=response.body,
        )


class BatchApiItemOut(BaseModel):
    """The outcome of one request of a batch."""

    index: int
    status: Literal["success", "error"]
    response: ApiResponseOut | None = None
    error: str | None = None


class BatchApiOut(BaseModel):
    """Per-request outcomes, in request order."""

    succeeded: int
    failed: int
    results: list[BatchApiItemOut]


class OrderOut(BaseModel):
    """A completed order."""

    status: str
    total: str
    order: Any
    payment: Any


class HealthOut(BaseModel):
    """Server health."""

    status: Literal["healthy", "degraded", "unhealthy"]
    database: str
    database_error: str | None
    error_rate: float
    uptime_s: float
    version: str
    environment: str


class InstanceOut(BaseModel):
    """Health of one service instance."""

    url: str
    healthy: bool
    latency_ms: float | None
    error: str | None


class ServiceHealthOut(BaseModel):
    """Health of one service: its instances and its circuit."""

    healthy_instances: int
    circuit: str
    instances: list[InstanceOut]


class DependenciesOut(BaseModel):
    """Health of everything the server depends on."""

    status: Literal["healthy", "degraded", "unhealthy"]
    database: str
    database_error: str | None
    services: dict[str, ServiceHealthOut]


class ProbeOut(BaseModel):
    """Latency statistics of repeated database round trips."""

    samples: int
    failures: int
    min_ms: float | None
    avg_ms: float | None
    max_ms: float | None
