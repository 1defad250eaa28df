"""Where an artifact comes from: parse a source url into a repository reference and a default name."""

from dataclasses import dataclass

from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind, SourceRef
from svckit.upstream_paths import (
    GITHUB_HOSTS,
    HF_HOSTS,
    KAGGLE_HOSTS,
    BadUpstreamUrl,
    github_repo,
    parse_url,
    repo_id,
)

# Path segments that follow a repository id in Hub urls (".../tree/main", ".../blob/main/x").
HF_REPO_SUFFIXES = frozenset({"tree", "blob", "resolve", "raw", "commit", "commits", "discussions", "viewer", "edit"})
HF_RESERVED_FIRST = frozenset({"spaces", "api", "docs", "organizations", "collections", "papers", "models"})


ALLOWED_KINDS: dict[ArtifactType, frozenset[SourceKind]] = {
    ArtifactType.MODEL: frozenset({SourceKind.HF_MODEL}),
    ArtifactType.DATASET: frozenset({SourceKind.HF_DATASET, SourceKind.GITHUB, SourceKind.KAGGLE}),
    ArtifactType.CODE: frozenset({SourceKind.GITHUB}),
}


class InvalidSource(ValueError):
    """The url is not a source the registry can ingest for this artifact type."""


@dataclass(frozen=True)
class Source:
    """A parsed source: the upstream kind, the repository id there, and an optional sub-path."""

    kind: SourceKind
    repo_id: str
    subpath: str = ""

    def ref(self, revision: str | None) -> SourceRef:
        """The contract form of this source, pinned to ``revision`` when known."""
        return SourceRef(kind=self.kind, repo_id=self.repo_id, subpath=self.subpath, revision=revision)

    @property
    def default_name(self) -> str:
        """The name used when the client gives none (spec examples: ``bert-base-uncased``, ``openai-whisper``)."""
        if self.kind is SourceKind.GITHUB:
            return self.repo_id.replace("/", "-")
        return self.repo_id.rsplit("/", 1)[-1]


def parse_source(url: str, artifact_type: ArtifactType) -> Source:
    """Parse ``url`` for an artifact of ``artifact_type``; raise ``InvalidSource`` with a clear reason.

    Every part becomes an upstream request later, so the url must pass ``svckit.upstream_paths``: a plain url on
    a known host whose owner, repository and path segments are well-formed names (no ``..``, user info, escapes).
    """
    try:
        parsed = parse_url(url)
        host, segments = parsed.host, parsed.segments
        if host in HF_HOSTS:
            source = _parse_hf(segments)
        elif host in GITHUB_HOSTS:
            source = _parse_github(segments)
        elif host in KAGGLE_HOSTS:
            source = _parse_kaggle(segments)
        else:
            raise InvalidSource(f"unsupported source host {host!r}: use a Hugging Face, GitHub or Kaggle url")
    except BadUpstreamUrl as error:
        raise InvalidSource(str(error)) from error
    if source.kind not in ALLOWED_KINDS[artifact_type]:
        allowed = ", ".join(sorted(k.value for k in ALLOWED_KINDS[artifact_type]))
        raise InvalidSource(
            f"a {source.kind.value} url cannot be registered as a {artifact_type.value} (allowed: {allowed})"
        )
    return source


def _parse_hf(segments: list[str]) -> Source:
    kind = SourceKind.HF_MODEL
    if segments and segments[0] == "datasets":
        kind = SourceKind.HF_DATASET
        segments = segments[1:]
    if not segments or segments[0] in HF_RESERVED_FIRST:
        raise InvalidSource("Hugging Face url does not name a model or dataset repository")
    if len(segments) >= 2 and segments[1] not in HF_REPO_SUFFIXES:
        return Source(kind, repo_id(segments[0], segments[1]), "/".join(segments[2:]))
    return Source(kind, repo_id(segments[0]), "/".join(segments[1:]))


def _parse_github(segments: list[str]) -> Source:
    if len(segments) < 2:
        raise InvalidSource("GitHub url must name a repository: https://github.com/<owner>/<repo>")
    if not segments[1].removesuffix(".git"):
        raise InvalidSource("GitHub url must name a repository")
    repo_id = github_repo(segments[0], segments[1])
    subpath = ""
    if len(segments) > 4 and segments[2] in ("tree", "blob"):
        subpath = "/".join(segments[4:])
    return Source(SourceKind.GITHUB, repo_id, subpath)


def _parse_kaggle(segments: list[str]) -> Source:
    if len(segments) < 3 or segments[0] != "datasets":
        raise InvalidSource("Kaggle url must name a dataset: https://www.kaggle.com/datasets/<owner>/<name>")
    return Source(SourceKind.KAGGLE, repo_id(segments[1], segments[2]))
