"""Replace a user's permissions."""

from dataclasses import replace

from catalog.deps import Deps
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import GrantPermissions, UserInfo


async def user_grant(command: GrantPermissions, deps: Deps) -> UserInfo:
    """Set the user's permissions to exactly the given list; 404 for an unknown user. The reply is stored with the
    change, so a caller's resend gets it again (``contracts.subjects.IDEMPOTENT_WRITES``)."""
    user = await deps.users.get_user(command.name)
    if user is None:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No user named {command.name!r}.")
    granted = replace(user, permissions=tuple(command.permissions))
    reply = UserInfo(name=granted.name, is_admin=granted.is_admin, permissions=granted.effective_permissions())
    if not await deps.users.set_permissions(command.name, command.permissions, reply):
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No user named {command.name!r}.")
    await deps.events.tokens_revoked([command.name], await deps.users.revocation())
    return reply
