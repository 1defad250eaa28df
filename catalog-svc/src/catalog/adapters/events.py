"""``EventPublisher`` over NATS: plain publishes every gateway replica receives, and registry events on the
``REGISTRY_EVENTS`` JetStream stream (acknowledged, so they wait there while webhook-svc is down)."""

from collections.abc import Sequence

import structlog
from nats.aio.client import Client as NATS
from nats.errors import Error as NatsError

from contracts.artifacts import ArtifactsChanged
from contracts.subjects import ARTIFACTS_CHANGED, AUTH_REVOKED, EVENTS_STREAM
from contracts.users import TokensRevoked
from contracts.webhooks import RegistryEvent, event_subject

EVENT_TIMEOUT = 2.0

log = structlog.get_logger()


class NatsEvents:
    """Publishes catalog events on their contract subjects."""

    def __init__(self, nc: NATS) -> None:
        self._nc = nc
        self._js = nc.jetstream()

    async def tokens_revoked(self, users: Sequence[str] | None, revocation: int) -> None:
        """Tell every gateway that principals read before ``revocation`` are stale; flushed before returning."""
        event = TokensRevoked(users=list(users) if users is not None else None, revocation=revocation)
        await self._nc.publish(AUTH_REVOKED, event.model_dump_json().encode())
        await self._nc.flush()

    async def artifacts_changed(self, revision: int) -> None:
        """Tell every catalog replica the artifacts changed (flushed before returning, so before the write that
        changed them is answered)."""
        await self._nc.publish(ARTIFACTS_CHANGED, ArtifactsChanged(revision=revision).model_dump_json().encode())
        await self._nc.flush()

    async def registry_event(self, event: RegistryEvent) -> None:
        """Store ``event`` in the events stream; a failure is logged, never raised (the change it announces is
        already committed)."""
        payload = event.model_dump_json().encode()
        try:
            await self._js.publish(event_subject(event.type), payload, stream=EVENTS_STREAM, timeout=EVENT_TIMEOUT)
        except (NatsError, TimeoutError) as error:
            log.warning(
                "registry_event_not_recorded", type=event.type, artifact_id=event.artifact_id, error=repr(error)
            )
