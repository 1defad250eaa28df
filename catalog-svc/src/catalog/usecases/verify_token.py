"""Check a token, counting one use."""

from catalog.deps import Deps
from catalog.domain.auth import strip_bearer, token_digest
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import Principal, VerifyToken


async def verify_token(command: VerifyToken, deps: Deps) -> Principal:
    """The token's user; 403 when it is unknown, used up (1,000 calls) or older than 10 hours."""
    token = strip_bearer(command.token)
    policy = deps.policy.tokens
    user = None
    if token:
        user = await deps.users.use_token(
            token_digest(token), policy.oldest_valid_issue_time(deps.clock()), policy.max_uses
        )
    if user is None:
        raise ServiceFailure(ErrorCode.FORBIDDEN, "Authentication failed: the token is invalid or expired.")
    return Principal(name=user.name, is_admin=user.is_admin, permissions=user.effective_permissions())
