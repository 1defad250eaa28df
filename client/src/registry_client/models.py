"""Typed models of the API's schemas this client uses: the spec's (``/openapi.yaml``) and the registry's additions.

They are the client's own, written from the served OpenAPI document, so ``registry-client`` installs alone. Every
model forbids unknown fields: a test against a real registry catches any drift between these and the server.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of every schema: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ArtifactType(StrEnum):
    """Spec ``ArtifactType``."""

    MODEL = "model"
    DATASET = "dataset"
    CODE = "code"


class ArtifactMetadata(Model):
    """Spec ``ArtifactMetadata``: the name given at ingest, the registry's id and the type."""

    name: str
    id: str
    type: ArtifactType


class ArtifactData(Model):
    """Spec ``ArtifactData``: the source url and, once stored, the registry's download url."""

    url: str
    download_url: str | None = None


class Artifact(Model):
    """Spec ``Artifact``."""

    metadata: ArtifactMetadata
    data: ArtifactData


class ArtifactQuery(Model):
    """Spec ``ArtifactQuery``: a name (``*`` for all) and optional types."""

    name: str
    types: list[ArtifactType] | None = None


class Page(Model):
    """One page of ``POST /artifacts`` and the cursor of the next (None: it was the last)."""

    items: list[ArtifactMetadata]
    next_offset: str | None


class SizeScore(Model):
    """Spec ``ModelRating.size_score``."""

    raspberry_pi: float
    jetson_nano: float
    desktop_pc: float
    aws_server: float


class ModelRating(Model):
    """Spec ``ModelRating``: scores in [0, 1], each ``*_latency`` in seconds."""

    name: str
    category: str
    net_score: float
    net_score_latency: float
    ramp_up_time: float
    ramp_up_time_latency: float
    bus_factor: float
    bus_factor_latency: float
    performance_claims: float
    performance_claims_latency: float
    license: float
    license_latency: float
    dataset_and_code_score: float
    dataset_and_code_score_latency: float
    dataset_quality: float
    dataset_quality_latency: float
    code_quality: float
    code_quality_latency: float
    reproducibility: float
    reproducibility_latency: float
    reviewedness: float
    reviewedness_latency: float
    tree_score: float
    tree_score_latency: float
    size_score: SizeScore
    size_score_latency: float


class MetricNote(Model):
    """``RatingReport.notes[]``: one metric's score and the evidence behind it."""

    metric: str
    score: float
    applicable: bool
    detail: str


class RatingReport(Model):
    """``RatingReport`` (addition): the stored rating with its evidence. ``pickle_scan`` is kept as sent."""

    artifact_id: str
    rating: ModelRating
    notes: list[MetricNote]
    gated: list[str]
    gate_failures: list[str]
    parents: list[str] = Field(default_factory=list)
    license_id: str | None = None
    rated_at: datetime
    pickle_scan: dict[str, Any] | None = None


class LineageNode(Model):
    """Spec ``ArtifactLineageNode`` (``node`` is the spec's required node identifier)."""

    @property
    def key(self) -> str:
        """The id edges name this node by."""
        return self.artifact_id or self.node or ""

    node: str | None = None
    artifact_id: str | None = None
    name: str | None = None
    source: str | None = None
    metadata: dict[str, Any] | None = None


class LineageEdge(Model):
    """Spec ``ArtifactLineageEdge``: upstream (parent) to downstream (child)."""

    from_node_artifact_id: str
    to_node_artifact_id: str
    relationship: str


class LineageGraph(Model):
    """Spec ``ArtifactLineageGraph``."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]


class Cost(Model):
    """One entry of spec ``ArtifactCost`` (MB)."""

    standalone_cost: float | None = None
    total_cost: float


class User(Model):
    """Spec ``User``."""

    name: str
    is_admin: bool


class AuditEntry(Model):
    """Spec ``ArtifactAuditEntry``."""

    user: User
    date: datetime
    artifact: ArtifactMetadata
    action: Literal["CREATE", "UPDATE", "DOWNLOAD", "RATE", "AUDIT"]


class Permission(StrEnum):
    """``Permission`` (addition)."""

    UPLOAD = "upload"
    SEARCH = "search"
    DOWNLOAD = "download"
    ADMIN = "admin"


class UserInfo(Model):
    """``UserInfo`` (addition): a user and their permissions."""

    name: str
    is_admin: bool
    permissions: list[Permission]


class NewUser(Model):
    """``NewUser`` (addition): the body of ``POST /users``."""

    name: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=8)
    is_admin: bool = False
    permissions: list[Permission] = Field(default_factory=lambda: [Permission.SEARCH])


class PackageStatus(Model):
    """``PackageView.status``: where the copy of the artifact's bytes stands."""

    artifact_id: str
    state: Literal["queued", "copying", "ready", "partial", "needs_credentials", "failed"]
    bytes_done: int
    bytes_total: int | None = None
    files_done: int
    files_total: int
    message: str = ""
    updated_at: datetime


class PackageFile(Model):
    """``PackageView.files[]``: one file, its part, size and sha256 (None until known)."""

    path: str
    part: Literal["weights", "datasets", "code", "docs"]
    size: int
    sha256: str | None = None
    stored: bool
    status: Literal["pending", "stored", "skipped", "failed"] = "pending"
    upstream_sha256: str | None = None
    verified: bool | None = None
    note: str = ""
    pickle_scan: dict[str, Any] | None = None  # a model's pickle-based file: its scan's verdict, kept as sent


class PackageArchive(Model):
    """``PackageView.archives[]``: a built tar of the package or a part, with the sha256 its download carries."""

    part: Literal["all", "weights", "datasets", "code", "docs"]
    size: int
    sha256: str


class PackageView(Model):
    """``PackageView`` (addition): copy state, files with sha256, archives, owner."""

    status: PackageStatus
    files: list[PackageFile]
    archives: list[PackageArchive] = Field(default_factory=list)
    owner: str | None = None

    @property
    def settled(self) -> bool:
        """Whether the copy has ended (whatever its outcome)."""
        return self.status.state not in ("queued", "copying")


class DownloadLink(Model):
    """What ``GET /download/{id}`` redirects to: the URL and, when known, the length and sha256 it serves."""

    url: str
    size: int | None = None
    sha256: str | None = None
