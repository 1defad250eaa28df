"""Registry events the catalog announces (artifact created, updated, deleted; rating stored or refused), built
from the stored artifact so every event names its owner: webhook-svc tells non-administrators only about their
own artifacts."""

from datetime import datetime
from typing import Any

from catalog.domain.artifacts import StoredArtifact
from contracts.webhooks import EventType, RegistryEvent


def artifact_event(event_type: EventType, artifact: StoredArtifact, at: datetime, **extra: Any) -> RegistryEvent:
    """The event of ``event_type`` on ``artifact``: its metadata, and ``extra`` fields, in ``data``."""
    data = {"name": artifact.name, "id": artifact.id, "type": artifact.type.value, **extra}
    return RegistryEvent(type=event_type, timestamp=at, artifact_id=artifact.id, owner=artifact.owner, data=data)
