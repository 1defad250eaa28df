"""Exchange a user name and password for a token."""

from catalog.deps import Deps
from catalog.domain.auth import new_token
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import IssuedToken, Login


async def auth_login(command: Login, deps: Deps) -> IssuedToken:
    """A fresh ``bearer`` token for valid credentials; 401 otherwise, with the same message and the same work
    (an unknown name's password is checked against a decoy) either way."""
    user = await deps.users.get_user(command.username)
    valid = await deps.hasher.verify(user.password_hash if user is not None else None, command.password)
    if user is None or not valid:
        raise ServiceFailure(ErrorCode.UNAUTHORIZED, "The user or password is invalid.")
    token, digest = new_token()
    await deps.users.add_token(digest, user.name, deps.clock())
    return IssuedToken(token=f"bearer {token}")
