"""Artifact payloads: the catalog's requests and answers, shaped like the public spec's schemas."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from contracts.base import Contract

ARTIFACT_ID_PATTERN = r"^[a-zA-Z0-9\-]+$"

ArtifactId = Annotated[str, StringConstraints(pattern=ARTIFACT_ID_PATTERN, min_length=1, max_length=64)]


class ArtifactType(StrEnum):
    """The three kinds of artifact the registry holds."""

    MODEL = "model"
    DATASET = "dataset"
    CODE = "code"


class Actor(Contract):
    """The authenticated user on whose behalf a request is made (recorded in the audit trail)."""

    name: str
    is_admin: bool


class ArtifactMetadata(Contract):
    """Spec ``ArtifactMetadata``: name, id and type."""

    name: str
    id: ArtifactId
    type: ArtifactType


class ArtifactData(Contract):
    """Spec ``ArtifactData``: the source url as sent, and our own download url once bytes are stored."""

    url: str
    download_url: str | None = None


class Artifact(Contract):
    """Spec ``Artifact``: metadata plus data."""

    metadata: ArtifactMetadata
    data: ArtifactData


class ArtifactList(Contract):
    """A list of artifact metadata entries, in registration order."""

    items: list[ArtifactMetadata]


class CreateArtifact(Contract):
    """Register an artifact from its source url; ``name`` is stored verbatim when given."""

    type: ArtifactType
    url: str
    name: str | None = None
    actor: Actor


class GetArtifact(Contract):
    """Fetch one artifact by type and id."""

    type: ArtifactType
    id: ArtifactId


class UpdateArtifact(Contract):
    """Replace an artifact's source; name and id must match the stored artifact."""

    type: ArtifactType
    id: ArtifactId
    name: str
    url: str
    actor: Actor


class DeleteArtifact(Contract):
    """Delete one artifact."""

    type: ArtifactType
    id: ArtifactId
    actor: Actor


class ArtifactQuery(Contract):
    """Spec ``ArtifactQuery``: a name (``*`` for all) and optional type filter."""

    name: str
    types: list[ArtifactType] | None = None


class QueryArtifacts(Contract):
    """Enumerate artifacts matching any of the queries, one page after the ``after`` cursor."""

    queries: list[ArtifactQuery] = Field(min_length=1)
    after: int = Field(default=0, ge=0)


class ArtifactPage(Contract):
    """One page of results and the cursor to send for the next page."""

    items: list[ArtifactMetadata]
    cursor: int
    has_more: bool


class FindByName(Contract):
    """Exact, case-sensitive name lookup."""

    name: str


class SearchByRegex(Contract):
    """Regular-expression search over names and README/card text."""

    regex: str


AuditAction = Literal["CREATE", "UPDATE", "DOWNLOAD", "RATE", "AUDIT", "DELETE"]


class ReadAudit(Contract):
    """Read the audit trail of one artifact (the read itself is recorded as ``AUDIT``)."""

    type: ArtifactType
    id: ArtifactId
    actor: Actor


class AuditEntry(Contract):
    """Spec ``ArtifactAuditEntry``."""

    user: Actor
    date: datetime
    artifact: ArtifactMetadata
    action: AuditAction


class AuditTrail(Contract):
    """An artifact's audit entries, oldest first."""

    items: list[AuditEntry]


class ResetRequest(Contract):
    """Return a service's stores to the default state."""

    actor: Actor


class ArtifactsChanged(Contract):
    """Event: a catalog replica committed a change to the artifacts; the others drop their in-memory copy. They
    also check the stored revision every second, so a lost event costs at most that long."""

    revision: int = Field(ge=0, description="The catalog's artifact revision once this change committed.")
