"""``UserStore`` on SQLAlchemy Core: users, permissions and hashed tokens with use counts.

Every change that voids what gateways cached about a user (deletion, permissions, a reset) bumps the revocation
sequence in the same transaction, so a gateway that reads the sequence after the change cannot miss it. The user
writes callers may send twice (``contracts.subjects.IDEMPOTENT_WRITES``) record their reply in the same transaction
as their change (``svckit.idempotency.settle_within``), so a resend replays it and the change happens once.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from catalog.adapters.artifact_store import utc
from catalog.adapters.tables import replies, state, tokens, users
from catalog.domain.auth import TokenRecord, User
from contracts.base import Contract
from contracts.users import Permission
from svckit.idempotency import settle_within

REVOCATION_KEY = "revocation"
_REVOCATION = select(state.c.value).where(state.c.key == REVOCATION_KEY).scalar_subquery()


class SqlUserStore:
    """Users and tokens in the catalog database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get_user(self, name: str) -> User | None:
        """One user by exact name."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.name == name))).first()
        return _user(row) if row else None

    async def list_users(self) -> list[User]:
        """All users ordered by name."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(users).order_by(users.c.name))).all()
        return [_user(r) for r in rows]

    async def put_user(self, user: User) -> None:
        """Create or overwrite a user (used for the default administrator)."""
        async with self._engine.begin() as conn:
            changed = await conn.execute(update(users).where(users.c.name == user.name).values(**_values(user)))
            if changed.rowcount == 0:
                await conn.execute(insert(users).values(name=user.name, **_values(user)))

    async def add_user(self, user: User, reply: Contract | None = None) -> bool:
        """Create a user, with ``reply`` recorded as the outcome of the idempotent write creating it; False when the
        name is taken."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(users).values(name=user.name, **_values(user)))
                if reply is not None:
                    await settle_within(conn, reply)
        except IntegrityError:
            return False
        return True

    async def delete_user(self, name: str, reply: Contract | None = None) -> bool:
        """Remove a user and every token they hold, with ``reply`` recorded as the idempotent write's outcome."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(tokens).where(tokens.c.user_name == name))
            result = await conn.execute(delete(users).where(users.c.name == name))
            if result.rowcount:
                await _bump_revocation(conn)
                if reply is not None:
                    await settle_within(conn, reply)
        return bool(result.rowcount)

    async def set_permissions(
        self, name: str, permissions: Sequence[Permission], reply: Contract | None = None
    ) -> bool:
        """Replace a user's permissions, with ``reply`` recorded as the idempotent write's outcome; False for an
        unknown user."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(users).where(users.c.name == name).values(permissions=_encode(permissions))
            )
            if result.rowcount:
                await _bump_revocation(conn)
                if reply is not None:
                    await settle_within(conn, reply)
        return bool(result.rowcount)

    async def add_token(self, digest: str, user_name: str, issued_at: datetime) -> None:
        """Store a newly issued token by digest."""
        async with self._engine.begin() as conn:
            await conn.execute(insert(tokens).values(digest=digest, user_name=user_name, issued_at=issued_at, uses=0))

    async def read_token(self, digest: str) -> TokenRecord | None:
        """The token stored under ``digest`` with its user, or None."""
        statement = (
            select(users, tokens.c.issued_at, tokens.c.uses, _REVOCATION.label("revocation"))
            .join(tokens, tokens.c.user_name == users.c.name)
            .where(tokens.c.digest == digest)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(statement)).first()
        if row is None:
            return None
        return TokenRecord(user=_user(row), issued_at=utc(row.issued_at), uses=row.uses, revocation=row.revocation or 0)

    async def revocation(self) -> int:
        """The revocation sequence: how many changes so far voided cached principals."""
        async with self._engine.connect() as conn:
            value = await conn.scalar(select(_REVOCATION))
        return int(value or 0)

    async def claim_uses(self, digest: str, seen_uses: int, count: int) -> bool:
        """Add ``count`` uses if nobody else claimed since ``seen_uses`` was read (compare-and-set)."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(tokens)
                .where(tokens.c.digest == digest, tokens.c.uses == seen_uses)
                .values(uses=seen_uses + count)
            )
        return bool(result.rowcount == 1)

    async def clear_except(self, keep_user: str) -> None:
        """Remove every user but ``keep_user`` (and their tokens), and the recorded outcomes of keyed writes: a key
        used before the reset runs its write again after it, rather than replaying what the reset undid."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(tokens).where(tokens.c.user_name != keep_user))
            await conn.execute(delete(users).where(users.c.name != keep_user))
            await conn.execute(delete(replies))
            await _bump_revocation(conn)


async def _bump_revocation(conn: AsyncConnection) -> None:
    """Its row exists from migration 0003 on; the UPDATE's row lock orders concurrent revocations."""
    await conn.execute(update(state).where(state.c.key == REVOCATION_KEY).values(value=state.c.value + 1))


def _encode(permissions: Sequence[Permission]) -> str:
    return ",".join(sorted({p.value for p in permissions}))


def _values(user: User) -> dict[str, Any]:
    return {
        "password_hash": user.password_hash,
        "is_admin": user.is_admin,
        "permissions": _encode(user.permissions),
    }


def _user(row: Row[Any]) -> User:
    permissions = tuple(Permission(p) for p in row.permissions.split(",") if p)
    return User(name=row.name, password_hash=row.password_hash, is_admin=row.is_admin, permissions=permissions)
