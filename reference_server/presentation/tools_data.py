"""MCP tools for users and the database: thin adapters from tool arguments to the domain layer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Annotated, ParamSpec, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from reference_server.data.base import Statement
from reference_server.errors import ReferenceServerError
from reference_server.presentation.models import BatchOut, ColumnOut, QueryOut, TableSchemaOut, UserListOut, UserOut
from reference_server.presentation.protocol import Subscriptions, client_log
from reference_server.runtime import Runtime

P = ParamSpec("P")
R = TypeVar("R")
SqlParam = str | int | float | bool | None
UserId = Annotated[int, Field(ge=1, le=2**53, description="The user's numeric id", examples=[1])]

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


def tool_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn domain errors into tool errors whose message the client sees (``isError: true``)."""

    @wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except ReferenceServerError as exc:
            raise ToolError(str(exc)) from exc

    return wrapper


class Operation(BaseModel):
    """One statement of a batch."""

    query: str = Field(description="One SQL statement with placeholders")
    params: list[SqlParam] = Field(default_factory=list, description="Values bound to the placeholders, in order")


def register_user_tools(mcp: MCPServer, rt: Runtime, subscriptions: Subscriptions) -> None:
    """create_user, get_user, update_user, list_users."""

    @mcp.tool(
        title="Create user",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
        ),
    )
    @tool_errors
    async def create_user(
        name: Annotated[
            str, Field(min_length=1, max_length=200, description="Display name", examples=["Ada Lovelace"])
        ],
        email: Annotated[
            str, Field(min_length=3, max_length=254, description="Unique email address", examples=["ada@example.com"])
        ],
    ) -> UserOut:
        """Create a user with a unique email address. Returns the stored user with its new id."""
        return UserOut.of(await rt.users.create(name, email))

    @mcp.tool(title="Get user", annotations=READ_ONLY)
    @tool_errors
    async def get_user(user_id: UserId) -> UserOut:
        """Fetch one user by id. Errors if no such user exists."""
        return UserOut.of(await rt.users.get(user_id))

    @mcp.tool(
        title="Update user",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
        ),
    )
    @tool_errors
    async def update_user(
        user_id: UserId,
        name: Annotated[str | None, Field(max_length=200, description="New display name")] = None,
        email: Annotated[str | None, Field(max_length=254, description="New unique email")] = None,
    ) -> UserOut:
        """Change a user's name and/or email (overwrites the old values). Subscribers of users://{id} are notified."""
        user = await rt.users.update(user_id, name, email)
        await subscriptions.notify_updated(f"users://{user.id}")
        return UserOut.of(user)

    @mcp.tool(title="List users", annotations=READ_ONLY)
    @tool_errors
    async def list_users(
        limit: Annotated[int, Field(ge=1, le=100, description="Page size")] = 20,
        cursor: Annotated[str | None, Field(description="next_cursor from the previous page")] = None,
    ) -> UserListOut:
        """List users in id order, one page at a time (keyset pagination)."""
        page = await rt.users.page(limit, cursor)
        return UserListOut(users=[UserOut.of(u) for u in page.users], next_cursor=page.next_cursor)


def register_database_tools(mcp: MCPServer, rt: Runtime) -> None:
    """execute_query, batch_operations, get_table_schema."""
    writes = rt.queries.allow_writes
    placeholder = "?" if rt.db.dialect == "sqlite" else "$1, $2, ..."
    mode = "INSERT/UPDATE/DELETE are allowed" if writes else "the server is read-only (SELECT/WITH/VALUES only)"

    @mcp.tool(
        title="Execute SQL query",
        description=(
            f"Run exactly one parameterised SQL statement on the {rt.db.dialect} database; {mode}. "
            f"Use {placeholder} placeholders and pass values in params (never inline them). "
            f"At most {rt.config.database.row_limit} rows are returned; the statement times out after "
            f"{rt.config.database.statement_timeout_ms} ms."
        ),
        annotations=ToolAnnotations(
            read_only_hint=not writes, destructive_hint=writes, idempotent_hint=not writes, open_world_hint=False
        ),
    )
    @tool_errors
    async def execute_query(
        query: Annotated[
            str,
            Field(
                min_length=1,
                max_length=100_000,
                description="One SQL statement",
                examples=["SELECT count(*) AS users FROM users"],
            ),
        ],
        params: Annotated[list[SqlParam] | None, Field(description="Values for the placeholders")] = None,
    ) -> QueryOut:
        return QueryOut.of(await rt.queries.execute(query, params or []))

    @mcp.tool(
        title="Batch operations",
        description=(
            "Run up to 100 parameterised statements in ONE transaction: either all succeed and are "
            f"committed, or none is applied. {mode}. Reports progress per statement."
        ),
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False
        ),
    )
    @tool_errors
    async def batch_operations(
        operations: Annotated[list[Operation], Field(min_length=1, max_length=100)], ctx: Context
    ) -> BatchOut:
        async def step(done: int, total: int) -> None:
            await ctx.report_progress(done, total, f"executed {done} of {total} operations")

        await client_log(ctx, "info", f"running a batch of {len(operations)} operations in one transaction")
        results = await rt.queries.batch([Statement(op.query, op.params) for op in operations], on_step=step)
        await client_log(ctx, "info", f"batch of {len(results)} operations committed")
        return BatchOut(committed=True, operation_count=len(results), results=[QueryOut.of(r) for r in results])

    @mcp.tool(title="Get table schema", annotations=READ_ONLY)
    @tool_errors
    async def get_table_schema(
        table: Annotated[str, Field(min_length=1, max_length=63, description="Table name", examples=["users"])],
    ) -> TableSchemaOut:
        """Describe a table's columns (name, type, nullability, default, primary key)."""
        schema = await rt.queries.table_schema(table)
        return TableSchemaOut(
            table=schema.table, dialect=rt.db.dialect, columns=[ColumnOut.of(c) for c in schema.columns]
        )
