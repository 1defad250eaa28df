"""Authentication and user-management payloads."""

from enum import StrEnum

from pydantic import Field

from contracts.base import Contract


class Permission(StrEnum):
    """What a user may do; each gateway route requires one."""

    UPLOAD = "upload"
    SEARCH = "search"
    DOWNLOAD = "download"
    ADMIN = "admin"


class Login(Contract):
    """Exchange a user name and password for a token."""

    username: str
    password: str


class IssuedToken(Contract):
    """A fresh token, already in the spec's ``bearer <token>`` form."""

    token: str


class VerifyToken(Contract):
    """Check a token and count one use of it."""

    token: str


class Principal(Contract):
    """The user behind a valid token."""

    name: str
    is_admin: bool
    permissions: list[Permission]


class CreateUser(Contract):
    """Register a user (admins only)."""

    name: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=8, max_length=1024)
    is_admin: bool = False
    permissions: list[Permission] = Field(default_factory=lambda: [Permission.SEARCH])


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
