"""Delete a user."""

from catalog.deps import Deps
from contracts.base import Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import DeleteUser


async def user_delete(command: DeleteUser, deps: Deps) -> Empty:
    """Remove the user and revoke their tokens; the default admin cannot be deleted. The reply is stored with the
    deletion, so a caller's resend gets it again rather than a 404 (``contracts.subjects.IDEMPOTENT_WRITES``)."""
    if command.name == deps.policy.admin_name:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, "The default administrator cannot be deleted.")
    reply = Empty()
    if not await deps.users.delete_user(command.name, reply):
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No user named {command.name!r}.")
    await deps.events.tokens_revoked([command.name], await deps.users.revocation())
    return reply
