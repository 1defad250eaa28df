"""Which part of a package a file belongs to, where bytes live in the bucket, and git blob ids."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from contracts.artifacts import ArtifactType
from contracts.storage import Part

WEIGHT_SUFFIXES = frozenset(
    {
        ".safetensors",
        ".bin",
        ".pt",
        ".pth",
        ".ckpt",
        ".onnx",
        ".onnx_data",
        ".h5",
        ".msgpack",
        ".gguf",
        ".tflite",
        ".pb",
        ".ot",
        ".mlmodel",
        ".npz",
        ".model",
        ".pkl",
    }
)
CODE_SUFFIXES = frozenset({".py", ".ipynb", ".js", ".ts", ".sh", ".c", ".cc", ".cpp", ".cu", ".rs", ".go", ".java"})
DOC_SUFFIXES = frozenset({".md", ".rst", ".pdf", ".html"})
DOC_NAMES = frozenset({"readme", "license", "licence", "notice", "citation", "model_card", "changelog"})


def part_of(path: str, artifact_type: ArtifactType) -> Part:
    """The package part a file belongs to.

    Docs are READMEs, licences and markup; code is source files; everything else is the artifact's payload:
    weights for a model (configs and tokenizers are needed to load them), datasets for a dataset, code for
    a code repository (its archive).
    """
    name = PurePosixPath(path)
    suffix = name.suffix.lower()
    stem = name.stem.lower()
    if stem in DOC_NAMES or suffix in DOC_SUFFIXES:
        return Part.DOCS
    if suffix in CODE_SUFFIXES:
        return Part.CODE
    if artifact_type is ArtifactType.MODEL:
        return Part.WEIGHTS
    if artifact_type is ArtifactType.DATASET:
        return Part.DATASETS
    return Part.CODE


MIN_PART = 8 << 20
MAX_PARTS = 9_000


def part_size_for(size: int | None) -> int:
    """Multipart part size: 8 MiB, larger when a file would need more parts than S3 allows (10,000)."""
    if size is None:
        return 64 << 20
    return max(MIN_PART, -(-size // MAX_PARTS))


def blob_key(sha256: str) -> str:
    """Content-addressed object key: identical bytes are stored once."""
    return f"blobs/sha256/{sha256[:2]}/{sha256}"


def upload_key(upload_id: str) -> str:
    """Where a user's presigned PUT lands before its package copies it."""
    return f"uploads/{upload_id}"


def incoming_prefix(artifact_id: str) -> str:
    """Where a copy streams bytes before their sha256 is known."""
    return f"incoming/{artifact_id}/"


class GitBlobHasher:
    """Incremental git blob id (``sha1("blob <size>\\0" + content)``), as the Hub reports for non-LFS files."""

    def __init__(self, size: int) -> None:
        self._sha1 = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)

    def update(self, chunk: bytes) -> None:
        """Feed the next chunk of content."""
        self._sha1.update(chunk)

    def hexdigest(self) -> str:
        """The git object id."""
        return self._sha1.hexdigest()


@dataclass(frozen=True)
class PlannedFile:
    """A file of the upstream package, before it is copied."""

    path: str
    part: Part
    size: int | None
    upstream_sha256: str | None = None
    git_oid: str | None = None
    estimate: int | None = None  # what the upstream states when it publishes no exact size (never checked against)
