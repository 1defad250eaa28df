"""Subscriptions and deliveries, and the rule of who hears which event."""

import base64
import binascii
import secrets
from dataclasses import dataclass

from contracts.webhooks import EventType

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 24


@dataclass(frozen=True)
class Subscription:
    """A URL told about some event types: every artifact's when its owner is an administrator, else its own."""

    id: str
    url: str
    events: tuple[EventType, ...]
    secret: str
    owner: str
    admin: bool
    active: bool
    disabled_reason: str | None
    created: float
    failures: int = 0


@dataclass(frozen=True)
class Delivery:
    """One event to one subscription; ``id`` is the ``webhook-id`` every attempt carries."""

    id: str
    subscription_id: str
    type: EventType
    body: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt: float | None
    created: float


def hears(subscription: Subscription, event_type: EventType, artifact_owner: str | None) -> bool:
    """Whether ``subscription`` is told about an event of this type on an artifact owned by ``artifact_owner``."""
    if not subscription.active or event_type not in subscription.events:
        return False
    return subscription.admin or (artifact_owner is not None and artifact_owner == subscription.owner)


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def valid_secret(secret: str) -> str | None:
    """Why ``secret`` is unusable, or None: it must be ``whsec_`` + base64 of at least 24 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        return f"the secret must start with {SECRET_PREFIX!r}"
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return "the secret after 'whsec_' must be base64"
    if len(key) < SECRET_BYTES:
        return f"the secret must hold at least {SECRET_BYTES} bytes (got {len(key)})"
    return None


def new_id(prefix: str) -> str:
    """A random id with a readable prefix."""
    return f"{prefix}_{secrets.token_hex(12)}"
