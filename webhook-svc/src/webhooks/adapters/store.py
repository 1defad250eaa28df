"""``WebhookStore`` on SQLAlchemy Core (SQLite or PostgreSQL, one code path)."""

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.base import Contract
from contracts.webhooks import EventType
from svckit.idempotency import settle_within
from webhooks.adapters.tables import deliveries, owners, replies, subscriptions
from webhooks.domain.retry import AttemptResult, Outcome
from webhooks.domain.subscriptions import Delivery, Subscription
from webhooks.ports import Claimed


class SqlWebhookStore:
    """Subscriptions, deliveries and artifact owners in webhook-svc's own database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_subscription(self, subscription: Subscription, reply: Contract | None = None) -> None:
        """Store a new subscription, with ``reply`` recorded as the outcome of the idempotent write creating it
        (``svckit.idempotency``)."""
        async with self._engine.begin() as conn:
            await conn.execute(insert(subscriptions).values(**_subscription_row(subscription)))
            if reply is not None:
                await settle_within(conn, reply)

    async def subscriptions(self, owner: str | None) -> list[Subscription]:
        """Subscriptions of ``owner`` (all when None), oldest first."""
        query = select(subscriptions).order_by(subscriptions.c.created)
        if owner is not None:
            query = query.where(subscriptions.c.owner == owner)
        async with self._engine.connect() as conn:
            return [_subscription(row) for row in (await conn.execute(query)).mappings()]

    async def subscription(self, subscription_id: str) -> Subscription | None:
        """One subscription, or None."""
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)))
                .mappings()
                .first()
            )
        return _subscription(row) if row is not None else None

    async def delete_subscription(self, subscription_id: str, reply: Contract | None = None) -> None:
        """Remove a subscription and its deliveries, with ``reply`` recorded as the idempotent write's outcome."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(deliveries).where(deliveries.c.subscription_id == subscription_id))
            await conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))
            if reply is not None:
                await settle_within(conn, reply)

    async def remember_owner(self, artifact_id: str, owner: str, name: str) -> None:
        """Record who owns ``artifact_id`` and its name (neither ever changes)."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(owners).values(artifact_id=artifact_id, owner=owner, name=name))
        except IntegrityError:
            return

    async def owner_of(self, artifact_id: str) -> tuple[str, str] | None:
        """The owner and name an event named for ``artifact_id``, if any did."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(owners.c.owner, owners.c.name).where(owners.c.artifact_id == artifact_id))
            ).first()
        return (str(row[0]), str(row[1])) if row is not None else None

    async def add_deliveries(self, items: Sequence[Delivery]) -> int:
        """Record deliveries, skipping those already recorded (an event handed out again); how many were new."""
        added = 0
        for item in items:
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(insert(deliveries).values(**_delivery_row(item)))
                added += 1
            except IntegrityError:
                continue
        return added

    async def deliveries(self, subscription_id: str, limit: int) -> list[Delivery]:
        """A subscription's deliveries, newest first."""
        query = (
            select(deliveries)
            .where(deliveries.c.subscription_id == subscription_id)
            .order_by(deliveries.c.created.desc(), deliveries.c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_delivery(row) for row in (await conn.execute(query)).mappings()]

    async def claim_due(self, now: float, hold: float, limit: int) -> list[Claimed]:
        """Hold up to ``limit`` due deliveries for ``hold`` seconds, in one UPDATE whose conditions only one
        replica's can meet for a row (SQLite has one writer; PostgreSQL locks the rows, skips those another claim
        holds and re-checks the conditions), so no two replicas send the same attempt."""
        free = or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now)
        due = (deliveries.c.status == "pending") & (deliveries.c.next_attempt <= now) & free
        candidates = (
            select(deliveries.c.id)
            .where(due)
            .order_by(deliveries.c.next_attempt)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        token = secrets.token_hex(16)
        query = (
            select(deliveries, *_SUBSCRIPTION_COLUMNS)
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(deliveries.c.claim == token)
        )
        async with self._engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(candidates.scalar_subquery()) & due)
                .values(claimed_until=now + hold, claim=token)
            )
            rows = (await conn.execute(query)).mappings().all()
        return [Claimed(_delivery(row), _subscription(row, prefix="sub_")) for row in rows]

    async def count_failure(self, subscription_id: str) -> int:
        """Add one to the subscription's consecutive failures, atomically (replicas and concurrent attempts may
        fail at once); the new count."""
        async with self._engine.begin() as conn:
            count = await conn.scalar(
                update(subscriptions)
                .where(subscriptions.c.id == subscription_id)
                .values(failures=subscriptions.c.failures + 1)
                .returning(subscriptions.c.failures)
            )
        return int(count or 0)

    async def record_attempt(self, claimed: Claimed, result: AttemptResult, outcome: Outcome) -> None:
        """Store an attempt's result on the delivery; a success clears the subscription's failures, a disabling
        outcome disables it with its reason."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id == claimed.delivery.id)
                .values(
                    status=outcome.status, attempts=outcome.attempts, last_status=result.status,
                    last_error=result.error, next_attempt=outcome.next_attempt, claimed_until=None,
                )
            )  # fmt: skip
            this = subscriptions.c.id == claimed.subscription.id
            if result.ok:
                await conn.execute(update(subscriptions).where(this).values(failures=0))
            if outcome.disabled_reason is not None:  # the first reason stays when attempts fail at once
                await conn.execute(
                    update(subscriptions)
                    .where(this & subscriptions.c.active)
                    .values(active=False, disabled_reason=outcome.disabled_reason)
                )

    async def clear(self) -> None:
        """Forget everything (the recorded outcomes of keyed writes too: a key used before runs its write again)."""
        async with self._engine.begin() as conn:
            for table in (deliveries, subscriptions, owners, replies):
                await conn.execute(delete(table))


def _subscription_row(s: Subscription) -> dict[str, Any]:
    return {
        "id": s.id, "url": s.url, "events": [e.value for e in s.events], "secret": s.secret, "owner": s.owner,
        "admin": s.admin, "active": s.active, "disabled_reason": s.disabled_reason, "failures": s.failures,
        "created": s.created,
    }  # fmt: skip


# A subscription's columns beside a delivery's in one row (both tables have ``id`` and ``created``).
_SUBSCRIPTION_COLUMNS = [column.label(f"sub_{column.name}") for column in subscriptions.c]


def _subscription(row: Any, prefix: str = "") -> Subscription:
    def value(name: str) -> Any:
        return row[prefix + name]

    return Subscription(
        id=value("id"), url=value("url"), events=tuple(EventType(e) for e in value("events")),
        secret=value("secret"), owner=value("owner"), admin=bool(value("admin")), active=bool(value("active")),
        disabled_reason=value("disabled_reason"), created=float(value("created")), failures=int(value("failures")),
    )  # fmt: skip


def _delivery_row(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id, "subscription_id": d.subscription_id, "type": d.type.value, "body": d.body, "status": d.status,
        "attempts": d.attempts, "last_status": d.last_status, "last_error": d.last_error,
        "next_attempt": d.next_attempt, "claimed_until": None, "claim": None, "created": d.created,
    }  # fmt: skip


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row["id"], subscription_id=row["subscription_id"], type=EventType(row["type"]), body=row["body"],
        status=row["status"], attempts=int(row["attempts"]), last_status=row["last_status"],
        last_error=row["last_error"], next_attempt=row["next_attempt"], created=float(row["created"]),
    )  # fmt: skip
