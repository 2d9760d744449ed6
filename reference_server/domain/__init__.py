"""Business logic: users, database operations and the order workflow (no MCP types here)."""

from reference_server.domain.orders import OrderItem, OrderService
from reference_server.domain.queries import QueryService
from reference_server.domain.users import UserService

__all__ = ["OrderItem", "OrderService", "QueryService", "UserService"]
