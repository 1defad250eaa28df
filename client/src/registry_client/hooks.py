"""Typed models of the webhooks API: subscriptions and their deliveries."""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from registry_client.models import Model


class EventType(StrEnum):
    """Webhook event types."""

    ARTIFACT_CREATED = "artifact.created"
    ARTIFACT_UPDATED = "artifact.updated"
    ARTIFACT_DELETED = "artifact.deleted"
    RATING_STORED = "rating.stored"
    RATING_REFUSED = "rating.refused"
    COPY_FINISHED = "copy.finished"
    COPY_FAILED = "copy.failed"


class Webhook(Model):
    """A webhook subscription; ``secret`` is present only in the answer that created it."""

    id: str
    url: str
    events: list[EventType]
    secret: str | None = None
    owner: str
    active: bool
    disabled_reason: str | None = None
    created: datetime


class NewWebhook(Model):
    """The body of ``POST /webhooks`` (a secret is generated when none is given)."""

    url: str
    events: list[EventType]
    secret: str | None = None


class Delivery(Model):
    """One delivery of a webhook (``id`` is its ``webhook-id`` header)."""

    id: str
    type: EventType
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None = None
    last_error: str | None = None
    next_attempt: datetime | None = None
    created: datetime
