"""``EventPublisher`` over NATS: plain publishes every gateway replica receives."""

from collections.abc import Sequence

from nats.aio.client import Client as NATS

from contracts.artifacts import ArtifactsChanged
from contracts.subjects import ARTIFACTS_CHANGED, AUTH_REVOKED
from contracts.users import TokensRevoked


class NatsEvents:
    """Publishes catalog events on their contract subjects."""

    def __init__(self, nc: NATS) -> None:
        self._nc = nc

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
