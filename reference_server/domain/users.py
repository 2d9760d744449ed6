"""User business rules: validation, normalisation, not-found handling and keyset pagination."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from reference_server.clock import Clock, utc_iso
from reference_server.data.base import Database, UserRow
from reference_server.errors import InvalidInput, NotFound

EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
MAX_NAME = 200
MAX_EMAIL = 254
MAX_PAGE = 100


@dataclass(frozen=True)
class UserPage:
    """One page of users and the cursor for the next page (None at the end)."""

    users: list[UserRow]
    next_cursor: str | None


def validate_name(name: str) -> str:
    """Trimmed, non-empty, at most 200 characters."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("name must not be empty; pass the user's display name, e.g. 'Ada Lovelace'")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(f"name is {len(cleaned)} characters; the limit is {MAX_NAME}")
    if any(ord(ch) < 32 for ch in cleaned):
        raise InvalidInput("name must not contain control characters")
    return cleaned


def validate_email(email: str) -> str:
    """A syntactically valid address, normalised to lower case."""
    cleaned = email.strip().lower()
    if len(cleaned) > MAX_EMAIL or not EMAIL_RE.match(cleaned):
        raise InvalidInput(f"email {email!r} is not a valid address; expected something like 'ada@example.com'")
    return cleaned


def validate_user_id(user_id: int) -> int:
    """A positive integer id."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id < 1:
        raise InvalidInput(f"user_id must be a positive integer, got {user_id!r}")
    return user_id


def encode_cursor(last_id: int) -> str:
    """Opaque cursor for the page after ``last_id``."""
    return base64.urlsafe_b64encode(f"users:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Inverse of ``encode_cursor``; raises ``InvalidInput`` for anything it did not produce."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "users" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor is not valid; pass the next_cursor value from a previous list_users call") from None


class UserService:
    """Create, read, update and list users on any ``Database`` backend."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def create(self, name: str, email: str) -> UserRow:
        """Create a user; ``Conflict`` when the email is already registered."""
        return await self._db.insert_user(validate_name(name), validate_email(email), utc_iso(self._clock))

    async def get(self, user_id: int) -> UserRow:
        """Fetch a user; ``NotFound`` when there is none with this id."""
        user = await self._db.get_user(validate_user_id(user_id))
        if user is None:
            raise NotFound(f"no user with id {user_id}; list_users shows the existing ids")
        return user

    async def update(self, user_id: int, name: str | None = None, email: str | None = None) -> UserRow:
        """Change name and/or email; at least one must be given."""
        validate_user_id(user_id)
        if name is None and email is None:
            raise InvalidInput("nothing to update: pass name and/or email")
        new_name = validate_name(name) if name is not None else None
        new_email = validate_email(email) if email is not None else None
        user = await self._db.update_user(user_id, new_name, new_email, utc_iso(self._clock))
        if user is None:
            raise NotFound(f"no user with id {user_id}; list_users shows the existing ids")
        return user

    async def page(self, limit: int = 20, cursor: str | None = None) -> UserPage:
        """One page in id order; pass the returned ``next_cursor`` to continue."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
        after = decode_cursor(cursor) if cursor else 0
        rows = await self._db.list_users(after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return UserPage(rows, encode_cursor(rows[-1].id) if more and rows else None)

    async def ids_starting_with(self, prefix: str, limit: int = 100) -> list[str]:
        """User ids (as strings) that start with ``prefix``, for argument completion."""
        if prefix and not prefix.isdigit():
            return []
        found: list[str] = []
        after = 0
        while len(found) < limit:
            rows = await self._db.list_users(after, MAX_PAGE)
            found.extend(str(r.id) for r in rows if str(r.id).startswith(prefix))
            if len(rows) < MAX_PAGE:
                break
            after = rows[-1].id
        return found[:limit]
