"""Return the catalog to its default state."""

from catalog.deps import Deps
from catalog.usecases.ensure_default_admin import ensure_default_admin
from contracts.artifacts import ResetRequest
from contracts.base import Empty


async def catalog_reset(_: ResetRequest, deps: Deps) -> Empty:
    """Remove every artifact, audit entry and user but the default admin, whose tokens stay valid."""
    await deps.artifacts.clear()
    await deps.users.clear_except(deps.policy.admin_name)
    await ensure_default_admin(deps)
    await deps.events.tokens_revoked(None, await deps.users.revocation())
    return Empty()
