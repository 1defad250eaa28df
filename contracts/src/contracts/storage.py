"""storage-svc payloads: packages of artifact bytes, their copy state, files and download links."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from contracts.artifacts import Actor, ArtifactId, ArtifactType
from contracts.base import Contract


def _plain_name(name: str) -> str:
    if name in (".", "..") or any(ord(c) < 0x20 or c == "\x7f" for c in name):
        raise ValueError("a file name may not be '.' or '..' nor hold control characters")
    return name


FileName = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[^/\\]+$"), AfterValidator(_plain_name)]
"""One file name, without any folder: no slash or backslash, not ``.`` or ``..``, no control characters."""


class SourceKind(StrEnum):
    """The upstream services the registry ingests from."""

    HF_MODEL = "hf_model"
    HF_DATASET = "hf_dataset"
    GITHUB = "github"
    KAGGLE = "kaggle"
    UPLOAD = "upload"


class SourceRef(Contract):
    """A parsed source: upstream kind, repository id there, optional sub-path, pinned revision if known."""

    kind: SourceKind
    repo_id: str
    subpath: str = ""
    revision: str | None = None


class Part(StrEnum):
    """Selectable parts of a package (``?part=``); ``all`` is the whole package."""

    ALL = "all"
    WEIGHTS = "weights"
    DATASETS = "datasets"
    CODE = "code"
    DOCS = "docs"


class PackageState(StrEnum):
    """Where the copy of an artifact's bytes stands."""

    QUEUED = "queued"
    COPYING = "copying"
    READY = "ready"
    PARTIAL = "partial"
    NEEDS_CREDENTIALS = "needs_credentials"
    FAILED = "failed"


class PreparePackage(Contract):
    """Record the package of a new (or re-sourced) artifact and queue the copy of its bytes."""

    artifact_id: ArtifactId
    type: ArtifactType
    source: SourceRef


class CopyJob(Contract):
    """A queued copy of one generation of a package (a re-sourced artifact starts a new generation)."""

    artifact_id: ArtifactId
    generation: int = Field(ge=1)


class PackageRef(Contract):
    """Names one artifact's package."""

    artifact_id: ArtifactId


class PackageStatus(Contract):
    """Copy state and progress; ``bytes_total`` is None until the upstream size is known."""

    artifact_id: ArtifactId
    state: PackageState
    bytes_done: int = Field(ge=0)
    bytes_total: int | None = None
    files_done: int = Field(ge=0)
    files_total: int = Field(ge=0)
    message: str = ""
    updated_at: datetime


class FilePickleScan(Contract):
    """The model-file security scan's verdict on one file of a model's package (filled in by the catalog from the
    model's rating; storage-svc leaves it out). For an uploaded archive: its pickle-based members together."""

    verdict: Literal["safe", "dangerous", "unscanned"] = Field(
        description="dangerous: a pickle imports code run on load; unscanned: not read to its end (detail: why)."
    )
    detail: str
    dangerous_imports: list[str] = Field(default_factory=list, description='e.g. "os.system"')
    members: list[str] = Field(
        default_factory=list, description="The pickle-based files scanned inside an uploaded archive (zip, tar)."
    )


class StoredFile(Contract):
    """One file of a package: where it sits in the package, its part, size and checksums.

    ``status``: ``pending`` (planned, its copy not finished: downloads stream it from the upstream, verified),
    ``stored`` (its bytes are in the registry), ``skipped`` (this deployment does not copy it: ``note`` says why),
    ``failed`` (the upstream served bytes that differ from what it publishes: ``note`` says how; never served).
    """

    path: str
    part: Part
    size: int = Field(ge=0)
    sha256: str | None = None
    stored: bool
    status: Literal["pending", "stored", "skipped", "failed"] = "pending"
    upstream_sha256: str | None = None
    verified: bool | None = None
    note: str = ""
    pickle_scan: FilePickleScan | None = Field(
        default=None, description="The security scan of a model's pickle-based file (None: not pickle-based, not a "
        "model, or rated before the scan).",
    )  # fmt: skip


class ArchiveView(Contract):
    """A built download archive (tar) of the whole package or one part: what ``/download`` serves for it."""

    part: Part
    size: int = Field(ge=0)
    sha256: str


class PackageFiles(Contract):
    """Every file of a package, in path order, and the archives built so far."""

    artifact_id: ArtifactId
    files: list[StoredFile]
    archives: list[ArchiveView] = Field(default_factory=list)


class RequestDownload(Contract):
    """Ask for a time-limited link to the whole package or one part of it."""

    artifact_id: ArtifactId
    part: Part = Part.ALL


class DownloadLink(Contract):
    """A time-limited URL (presigned S3, or storage-svc's signed byte endpoint) and what it serves.

    ``size`` is None when the upstream states no size for a file not stored yet (a GitHub archive); ``sha256`` is
    None while unknown (an archive of files not all stored yet; an archive with no published checksum).
    """

    url: str
    expires_at: datetime
    filename: str
    size: int | None = Field(default=None, ge=0)
    sha256: str | None = None


class PackageView(Contract):
    """A package's state, files and built archives (with the sha256 a download of each will carry)."""

    status: PackageStatus
    files: list[StoredFile]
    archives: list[ArchiveView] = Field(default_factory=list)
    owner: str | None = Field(
        default=None,
        description="Who registered the artifact, filled in by the catalog (storage-svc leaves it out); None when "
        "not recorded (registered before owners were: only administrators may update or delete it).",
    )


class DownloadArtifact(Contract):
    """Ask the catalog for a download link of an artifact (the download is audited)."""

    id: ArtifactId
    part: Part = Part.ALL
    actor: Actor


class ReadPackage(Contract):
    """Read the stored package of an artifact, through the catalog (which checks the type)."""

    type: ArtifactType
    id: ArtifactId


class BeginUpload(Contract):
    """Open an upload slot for one file (the package a user uploads) of exactly ``size`` bytes, for ``owner``
    (the user the gateway authenticated: quotas are per user)."""

    filename: FileName
    size: int = Field(ge=0)
    owner: str = Field(min_length=1)


class UploadSlot(Contract):
    """Where to PUT the file (a presigned URL) and the id to register it under afterwards."""

    upload_id: str
    put_url: str
    expires_at: datetime


class RegisterUpload(Contract):
    """Register an uploaded file as an artifact (the catalog side of an upload)."""

    type: ArtifactType
    upload_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    filename: FileName
    name: str
    card: str = Field(default="", description="The uploader's model card: rated, and searched like a README.")
    actor: Actor


class SizesQuery(Contract):
    """The stored byte counts of several packages."""

    artifact_ids: list[ArtifactId] = Field(max_length=10_000)


class PackageSizes(Contract):
    """Bytes of each package (upstream sizes included for files not copied); None when unknown."""

    sizes: dict[str, int | None]


class RangeLinksQuery(Contract):
    """Ask for links that read a package's files by byte range (scoring-svc's scan of uploaded model files)."""

    artifact_id: ArtifactId


class RangeLink(Contract):
    """One file of a package and a presigned URL of its bytes in the registry's bucket that honours ``Range``;
    ``url`` is None when the bytes are not in the bucket (``note`` says why)."""

    path: str
    size: int = Field(ge=0)
    url: str | None = None
    note: str = ""
    stored: bool = Field(
        default=False, description="The link reads the stored blob (immutable), not an upload still being copied."
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="Headers a read through ``url`` must send (signed into it): for an upload object, the condition "
        "(If-Unmodified-Since) that only the version there at registration meets; bytes PUT since answer 412.",
    )


class RangeLinks(Contract):
    """Every file of a package with its ranged-read link, valid until ``expires_at``."""

    artifact_id: ArtifactId
    files: list[RangeLink]
    expires_at: datetime
