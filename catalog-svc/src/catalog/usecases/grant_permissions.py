"""Replace a user's permissions."""

from catalog.deps import Deps
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import GrantPermissions, UserInfo


async def grant_permissions(command: GrantPermissions, deps: Deps) -> UserInfo:
    """Set the user's permissions to exactly the given list; 404 for an unknown user."""
    if not await deps.users.set_permissions(command.name, command.permissions):
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No user named {command.name!r}.")
    await deps.events.tokens_revoked([command.name], await deps.users.revocation())
    user = await deps.users.get_user(command.name)
    assert user is not None
    return UserInfo(name=user.name, is_admin=user.is_admin, permissions=user.effective_permissions())
