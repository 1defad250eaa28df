"""Exchange a user name and password for a token."""

from catalog.deps import Deps
from catalog.domain.auth import new_token
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import IssuedToken, Login


async def authenticate(command: Login, deps: Deps) -> IssuedToken:
    """A fresh ``bearer`` token for valid credentials; 401 otherwise (same message either way)."""
    user = await deps.users.get_user(command.username)
    if user is None or not await deps.hasher.verify(user.password_hash, command.password):
        raise ServiceFailure(ErrorCode.UNAUTHORIZED, "The user or password is invalid.")
    token, digest = new_token()
    await deps.users.add_token(digest, user.name, deps.clock())
    return IssuedToken(token=f"bearer {token}")
