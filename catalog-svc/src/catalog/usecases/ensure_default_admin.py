"""The default administrator always exists with the configured password."""

from catalog.deps import Deps
from catalog.domain.auth import ALL_PERMISSIONS, User


async def ensure_default_admin(deps: Deps) -> None:
    """Create the default admin, or restore its password and rights if they changed."""
    name, password = deps.policy.admin_name, deps.policy.admin_password
    current = await deps.users.get_user(name)
    if current and current.is_admin and await deps.hasher.verify(current.password_hash, password):
        return
    password_hash = await deps.hasher.hash(password)
    await deps.users.put_user(User(name, password_hash, is_admin=True, permissions=ALL_PERMISSIONS))
