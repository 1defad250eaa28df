"""Check a token and reserve uses of it for the asking gateway."""

from catalog.deps import Deps
from catalog.domain.auth import TokenRecord, lease_size, strip_bearer, token_digest
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import LeaseToken, Principal, TokenLease

CLAIM_ATTEMPTS = 16


async def auth_lease(command: LeaseToken, deps: Deps) -> TokenLease:
    """The token's user and up to ``wanted`` uses (none when 0: a gateway re-reading the user after a revocation
    keeps the uses it holds); 403 when unknown, used up (1,000 calls) or too old."""
    token = strip_bearer(command.token)
    digest = token_digest(token) if token else ""
    policy = deps.policy.tokens
    for _ in range(CLAIM_ATTEMPTS):
        record = await deps.users.read_token(digest) if digest else None
        if record is None or record.issued_at <= policy.oldest_valid_issue_time(deps.clock()):
            break
        if command.wanted == 0:
            return _lease(record, 0, deps)
        granted = lease_size(command.wanted, policy.max_uses - record.uses)
        if granted == 0:
            break
        if await deps.users.claim_uses(digest, record.uses, granted):
            return _lease(record, granted, deps)
    raise ServiceFailure(ErrorCode.FORBIDDEN, "Authentication failed: the token is invalid or expired.")


def _lease(record: TokenRecord, granted: int, deps: Deps) -> TokenLease:
    user = record.user
    return TokenLease(
        principal=Principal(name=user.name, is_admin=user.is_admin, permissions=user.effective_permissions()),
        granted=granted,
        expires_at=record.issued_at + deps.policy.tokens.lifetime,
        revocation=record.revocation,
    )
