"""Register a user (admin only; the gateway checks the caller's permission)."""

from catalog.deps import Deps
from catalog.domain.auth import User
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import CreateUser, UserInfo


async def user_create(command: CreateUser, deps: Deps) -> UserInfo:
    """Store the user with a hashed password; 409 when the name is taken. The reply is stored with the user, so a
    caller's resend of this creation gets it again (``contracts.subjects.IDEMPOTENT_WRITES``)."""
    password_hash = await deps.hasher.hash(command.password)
    user = User(command.name, password_hash, command.is_admin, tuple(command.permissions))
    reply = UserInfo(name=user.name, is_admin=user.is_admin, permissions=user.effective_permissions())
    if not await deps.users.add_user(user, reply):
        raise ServiceFailure(ErrorCode.CONFLICT, f"User {command.name!r} already exists.")
    return reply
