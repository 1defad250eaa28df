"""webhook-svc payloads: subscriptions, deliveries, and the registry events they carry."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from contracts.artifacts import Actor
from contracts.base import Contract


class EventType(StrEnum):
    """What a webhook may be told about."""

    ARTIFACT_CREATED = "artifact.created"
    ARTIFACT_UPDATED = "artifact.updated"
    ARTIFACT_DELETED = "artifact.deleted"
    RATING_STORED = "rating.stored"
    RATING_REFUSED = "rating.refused"
    COPY_FINISHED = "copy.finished"
    COPY_FAILED = "copy.failed"


class DeliveryStatus(StrEnum):
    """Where one delivery stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def event_subject(event_type: EventType) -> str:
    """The JetStream subject an event of ``event_type`` is published on (``events.<type>``)."""
    return f"events.{event_type.value}"


class RegistryEvent(Contract):
    """An event on the ``REGISTRY_EVENTS`` stream, delivered to the matching webhooks."""

    type: EventType
    timestamp: datetime
    artifact_id: str = Field(description="The artifact the event is about.")
    owner: str | None = Field(
        default=None, description="Its owner, when the publisher knows it (webhook-svc remembers owners it saw)."
    )
    data: dict[str, Any] = Field(description='The body\'s ``data``: {"name", "id", "type"} and event fields.')


class CreateSubscription(Contract):
    """``POST /webhooks`` on behalf of ``actor``."""

    url: str = Field(max_length=2048)
    events: list[EventType] = Field(min_length=1)
    secret: str | None = Field(default=None, description="``whsec_`` + base64; generated when absent.")
    actor: Actor


class SubscriptionInfo(Contract):
    """A subscription as the API shows it (``secret`` only in the answer to its creation)."""

    id: str
    url: str
    events: list[EventType]
    owner: str
    active: bool
    disabled_reason: str | None
    created: datetime
    secret: str | None = None


class SubscriptionList(Contract):
    """The caller's subscriptions (an administrator's: all)."""

    items: list[SubscriptionInfo]


class ListSubscriptions(Contract):
    """``GET /webhooks``."""

    actor: Actor


class SubscriptionRef(Contract):
    """One subscription, asked about by ``actor`` (404 unless theirs or ``actor`` is an administrator)."""

    id: str = Field(max_length=64)
    actor: Actor


class DeliveryInfo(Contract):
    """One delivery of an event to a subscription."""

    id: str = Field(description="The ``webhook-id`` header value, the same on every attempt.")
    type: EventType
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt: datetime | None
    created: datetime


class DeliveryList(Contract):
    """A subscription's deliveries, newest first."""

    items: list[DeliveryInfo]
