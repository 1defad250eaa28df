"""The small interfaces webhook-svc's use cases depend on; adapters implement them."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from contracts.base import Contract
from webhooks.domain.retry import AttemptResult, Outcome
from webhooks.domain.subscriptions import Delivery, Subscription


@dataclass(frozen=True)
class Claimed:
    """A due delivery one replica holds for one attempt, with its subscription."""

    delivery: Delivery
    subscription: Subscription


class WebhookStore(Protocol):
    """webhook-svc's own store of subscriptions, deliveries and the artifact owners it has seen."""

    # ``reply``: the write's reply, recorded with the change when the write is idempotent (``svckit.idempotency``)
    async def add_subscription(self, subscription: Subscription, reply: Contract | None = None) -> None: ...
    async def subscriptions(self, owner: str | None) -> list[Subscription]: ...
    async def subscription(self, subscription_id: str) -> Subscription | None: ...
    async def delete_subscription(self, subscription_id: str, reply: Contract | None = None) -> None: ...
    async def remember_owner(self, artifact_id: str, owner: str, name: str) -> None: ...
    async def owner_of(self, artifact_id: str) -> tuple[str, str] | None: ...
    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> int: ...
    async def deliveries(self, subscription_id: str, limit: int) -> list[Delivery]: ...
    async def claim_due(self, now: float, hold: float, limit: int) -> list[Claimed]: ...
    async def count_failure(self, subscription_id: str) -> int: ...
    async def record_attempt(self, claimed: Claimed, result: AttemptResult, outcome: Outcome) -> None: ...
    async def clear(self) -> None: ...


class Targets(Protocol):
    """Resolves a target URL's host and refuses addresses webhooks may not reach (``RefusedTarget``)."""

    async def check(self, url: str) -> None: ...


class Sender(Protocol):
    """POSTs one signed delivery to its target."""

    async def send(self, url: str, secret: str, delivery_id: str, body: str) -> AttemptResult: ...
