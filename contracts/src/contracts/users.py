"""Authentication and user-management payloads."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from contracts.base import Contract


class Permission(StrEnum):
    """What a user may do; each gateway route requires one."""

    UPLOAD = "upload"
    SEARCH = "search"
    DOWNLOAD = "download"
    ADMIN = "admin"


# A user's name and a new password as a registration accepts them: the gateway's body and the catalog's command
# both declare their fields with these, so the limits are stated once.
UserName = Annotated[str, Field(min_length=1, max_length=128)]
NewPassword = Annotated[str, Field(min_length=8, max_length=1024)]


def default_permissions() -> list[Permission]:
    """What a new user may do unless told otherwise: search."""
    return [Permission.SEARCH]


class Login(Contract):
    """Exchange a user name and password for a token."""

    username: str
    password: str


class IssuedToken(Contract):
    """A fresh token, already in the spec's ``bearer <token>`` form."""

    token: str


class LeaseToken(Contract):
    """Check a token and reserve up to ``wanted`` uses of it for one gateway replica (0: only check it, for a
    gateway that still holds uses but must re-read the user after a revocation)."""

    token: str
    wanted: int = Field(default=1, ge=0, le=1000)


class Principal(Contract):
    """The user behind a valid token."""

    name: str
    is_admin: bool
    permissions: list[Permission]


class TokenLease(Contract):
    """A valid token's user and the uses reserved for the asking gateway, usable until ``expires_at``."""

    principal: Principal
    granted: int = Field(ge=0)
    expires_at: datetime
    revocation: int = Field(
        default=0, ge=0, description="The catalog's revocation sequence when ``principal`` was read."
    )


class TokensRevoked(Contract):
    """Event: principals read before revocation ``revocation`` are stale (these users' changed; everyone's
    when ``users`` is None). Gateways also poll ``Revocations``, so a lost event costs at most their bound."""

    users: list[str] | None = None
    revocation: int = Field(ge=0, description="The catalog's revocation sequence once this change committed.")


class Revocations(Contract):
    """The catalog's revocation sequence: bumped, in the same transaction, by every change that voids cached
    principals (a deleted user, changed permissions, a reset)."""

    revocation: int = Field(ge=0)


class CreateUser(Contract):
    """Register a user (admins only)."""

    name: UserName
    password: NewPassword
    is_admin: bool = False
    permissions: list[Permission] = Field(default_factory=default_permissions)


class UserInfo(Contract):
    """A user as shown to admins (never the password hash)."""

    name: str
    is_admin: bool
    permissions: list[Permission]


class UserList(Contract):
    """All users, by name."""

    items: list[UserInfo]


class DeleteUser(Contract):
    """Remove a user and revoke their tokens."""

    name: str


class GrantPermissions(Contract):
    """Replace a user's permissions."""

    name: str
    permissions: list[Permission]
