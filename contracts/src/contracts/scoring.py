"""scoring-svc payloads: rate a model (at ingest or on update), read its stored rating, forget it.

``ModelRating`` is the spec's schema field for field; ``RatingReport`` adds what the registry explains beyond it:
why each metric scored what it did, which metrics the quality gate looked at, and which of those failed.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from contracts.artifacts import Actor, ArtifactId
from contracts.base import Contract
from contracts.storage import SourceRef


class SizeScores(Contract):
    """Spec ``ModelRating.size_score``: how well the weights fit each reference device, each in [0, 1]."""

    raspberry_pi: float = Field(ge=0, le=1)
    jetson_nano: float = Field(ge=0, le=1)
    desktop_pc: float = Field(ge=0, le=1)
    aws_server: float = Field(ge=0, le=1)


class ModelRating(Contract):
    """Spec ``ModelRating``: every score in [0, 1], every ``*_latency`` the seconds its computation took."""

    name: str
    category: str
    net_score: float = Field(ge=0, le=1)
    net_score_latency: float = Field(ge=0)
    ramp_up_time: float = Field(ge=0, le=1)
    ramp_up_time_latency: float = Field(ge=0)
    bus_factor: float = Field(ge=0, le=1)
    bus_factor_latency: float = Field(ge=0)
    performance_claims: float = Field(ge=0, le=1)
    performance_claims_latency: float = Field(ge=0)
    license: float = Field(ge=0, le=1)
    license_latency: float = Field(ge=0)
    dataset_and_code_score: float = Field(ge=0, le=1)
    dataset_and_code_score_latency: float = Field(ge=0)
    dataset_quality: float = Field(ge=0, le=1)
    dataset_quality_latency: float = Field(ge=0)
    code_quality: float = Field(ge=0, le=1)
    code_quality_latency: float = Field(ge=0)
    reproducibility: float = Field(ge=0, le=1)
    reproducibility_latency: float = Field(ge=0)
    reviewedness: float = Field(ge=0, le=1)
    reviewedness_latency: float = Field(ge=0)
    tree_score: float = Field(ge=0, le=1)
    tree_score_latency: float = Field(ge=0)
    size_score: SizeScores
    size_score_latency: float = Field(ge=0)


class MetricNote(Contract):
    """Why one metric scored what it did, and whether the quality gate applies to it for this model."""

    metric: str
    score: float = Field(ge=0, le=1)
    applicable: bool
    detail: str


class PickleVerdict(StrEnum):
    """What the static scan of one pickle-based file concluded."""

    SAFE = "safe"  # every pickle a loader unpickles was read to its end; no dangerous import
    DANGEROUS = "dangerous"  # a pickle imports something that runs code or touches the system when loaded
    UNSCANNED = "unscanned"  # not read to the end (not a pickle, stopped parsing, over the cap, unreadable)


class PickleFileScan(Contract):
    """One pickle-based file of the model (``.bin .pt .pth .pkl .ckpt .joblib .pickle``), scanned statically:
    its pickles' opcodes are read, never unpickled."""

    path: str
    verdict: PickleVerdict
    detail: str = Field(description="What was read and, for unscanned files, why the scan stopped.")
    dangerous_imports: list[str] = Field(default_factory=list, description='e.g. "os.system"')
    other_imports: list[str] = Field(
        default_factory=list, description="Imports neither known safe nor known dangerous (their code runs on load)."
    )
    pickles: list[str] = Field(
        default_factory=list, description='The pickles read: zip members ("archive/data.pkl") or "" for the file.'
    )
    size: int | None = None
    bytes_read: int = Field(default=0, ge=0, description="Bytes fetched from the upstream for the scan.")
    hub_status: str | None = Field(
        default=None, description="The Hub's own scan level for the file (safe, unsafe, caution, ...); None: none."
    )
    archive: str | None = Field(
        default=None,
        description="The uploaded archive (zip, tar) holding this file, whose path is then <archive>/<member>; "
        "None: a file of the package itself.",
    )


class PickleScanReport(Contract):
    """The model-file security scan at ingest: every pickle-based file, and what the Hub's own scan says."""

    scanned: bool = Field(description="Whether the model's files were read (from the Hub, or the registry's bucket).")
    detail: str
    files: list[PickleFileScan] = Field(default_factory=list)
    hub_scans_done: bool | None = Field(default=None, description="The Hub's scansDone; None: it gave no status.")
    hub_unsafe: list[str] = Field(default_factory=list, description="Files the Hub's own scan marks unsafe.")
    refused: str | None = Field(
        default=None, description="Why the scan refuses the model at ingest (None: it does not)."
    )
    seconds: float = Field(default=0.0, ge=0)


class RatingReport(Contract):
    """A stored rating with its explanation; ``gate_failures`` names the gated metrics below the threshold."""

    artifact_id: ArtifactId
    rating: ModelRating
    notes: list[MetricNote]
    gated: list[str]
    gate_failures: list[str]
    parents: list[ArtifactId] = Field(default_factory=list)
    license_id: str | None = None
    rated_at: datetime
    pickle_scan: PickleScanReport | None = Field(
        default=None, description="The model-file security scan (None: rated before the scan existed)."
    )


class RateModel(Contract):
    """Rate a model from its source; with ``gate`` a failing rating is answered but not stored."""

    artifact_id: ArtifactId
    name: str
    source: SourceRef
    readme: str = ""
    gate: bool = True


class RatingRef(Contract):
    """Names one model's rating."""

    artifact_id: ArtifactId


class RateAudited(Contract):
    """Event: a user read a model's rating (the catalog records it in the audit trail as RATE)."""

    artifact_id: ArtifactId
    actor: Actor


class RatingsChanged(Contract):
    """Event to every scoring replica: these stored ratings changed (``None``: all of them), drop cached copies."""

    artifact_ids: list[ArtifactId] | None = None
