"""The revocation sequence, which gateways confirm so that a lost revocation event costs at most their bound."""

from catalog.deps import Deps
from contracts.base import Empty
from contracts.users import Revocations


async def auth_revocations(_: Empty, deps: Deps) -> Revocations:
    """How many changes so far voided cached principals (deleted users, changed permissions, resets)."""
    return Revocations(revocation=await deps.users.revocation())
