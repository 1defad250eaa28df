"""List users."""

from catalog.deps import Deps
from contracts.base import Empty
from contracts.users import UserInfo, UserList


async def user_list(_: Empty, deps: Deps) -> UserList:
    """Every user with their permissions, by name."""
    return UserList(
        items=[
            UserInfo(name=u.name, is_admin=u.is_admin, permissions=u.effective_permissions())
            for u in await deps.users.list_users()
        ]
    )
