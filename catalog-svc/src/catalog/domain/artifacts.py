"""Artifact entities and the rules on names and ids."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from contracts.artifacts import Actor, ArtifactMetadata, ArtifactType, AuditAction

MAX_NAME_LENGTH = 255


class InvalidName(ValueError):
    """A name the registry refuses."""


def validate_name(name: str) -> str:
    """Names are 1-255 printable ASCII ("keyboard") characters and never the reserved ``*``."""
    if not name:
        raise InvalidName("name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName(f"name must be at most {MAX_NAME_LENGTH} characters")
    if name == "*":
        raise InvalidName("the name '*' is reserved")
    if any(not (" " <= ch <= "~") for ch in name):
        raise InvalidName("name must use printable ASCII (keyboard) characters only")
    return name


def new_artifact_id() -> str:
    """A random 16-digit id; uniqueness is enforced by the store, which retries on a clash."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


@dataclass(frozen=True)
class StoredArtifact:
    """An artifact as the catalog keeps it."""

    id: str
    type: ArtifactType
    name: str
    url: str
    seq: int = 0
    owner: str | None = None

    @property
    def metadata(self) -> ArtifactMetadata:
        """The spec's metadata view."""
        return ArtifactMetadata(name=self.name, id=self.id, type=self.type)


def may_change(artifact: StoredArtifact, actor: Actor) -> bool:
    """Only the user who registered an artifact, or an administrator, may update or delete it. An artifact whose
    owner is unknown (registered before owners were recorded) is left to administrators."""
    return actor.is_admin or (artifact.owner is not None and artifact.owner == actor.name)


@dataclass(frozen=True)
class AuditRecord:
    """One audited action on an artifact."""

    artifact: ArtifactMetadata
    actor: Actor
    action: AuditAction
    at: datetime
