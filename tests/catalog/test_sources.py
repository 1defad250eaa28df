"""Parsing source urls into repositories and default names."""

import pytest

from catalog.domain.sources import InvalidSource, parse_source
from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind

MODEL, DATASET, CODE = ArtifactType.MODEL, ArtifactType.DATASET, ArtifactType.CODE


@pytest.mark.parametrize(
    ("url", "kind", "repo", "name"),
    [
        (
            "https://huggingface.co/google-bert/bert-base-uncased",
            SourceKind.HF_MODEL,
            "google-bert/bert-base-uncased",
            "bert-base-uncased",
        ),
        (
            "https://huggingface.co/openai/whisper-tiny/tree/main",
            SourceKind.HF_MODEL,
            "openai/whisper-tiny",
            "whisper-tiny",
        ),
        (
            "https://huggingface.co/distilbert-base-uncased-distilled-squad",
            SourceKind.HF_MODEL,
            "distilbert-base-uncased-distilled-squad",
            "distilbert-base-uncased-distilled-squad",
        ),
        (
            "https://huggingface.co/bert-base-uncased/tree/main",
            SourceKind.HF_MODEL,
            "bert-base-uncased",
            "bert-base-uncased",
        ),
        ("http://www.huggingface.co/microsoft/resnet-50/", SourceKind.HF_MODEL, "microsoft/resnet-50", "resnet-50"),
    ],
)
def test_hugging_face_model_urls(url: str, kind: SourceKind, repo: str, name: str) -> None:
    source = parse_source(url, MODEL)
    assert (source.kind, source.repo_id, source.default_name) == (kind, repo, name)


@pytest.mark.parametrize(
    ("url", "repo", "name"),
    [
        ("https://huggingface.co/datasets/rajpurkar/squad", "rajpurkar/squad", "squad"),
        ("https://huggingface.co/datasets/bookcorpus/bookcorpus/tree/main", "bookcorpus/bookcorpus", "bookcorpus"),
        ("https://huggingface.co/datasets/squad", "squad", "squad"),
    ],
)
def test_hugging_face_dataset_urls(url: str, repo: str, name: str) -> None:
    source = parse_source(url, DATASET)
    assert (source.kind, source.repo_id, source.default_name) == (SourceKind.HF_DATASET, repo, name)


@pytest.mark.parametrize(
    ("url", "repo", "subpath", "name"),
    [
        ("https://github.com/google-research/bert", "google-research/bert", "", "google-research-bert"),
        ("https://github.com/openai/whisper.git", "openai/whisper", "", "openai-whisper"),
        (
            "https://github.com/huggingface/lerobot/tree/main/src/lerobot",
            "huggingface/lerobot",
            "src/lerobot",
            "huggingface-lerobot",
        ),
    ],
)
def test_github_urls(url: str, repo: str, subpath: str, name: str) -> None:
    source = parse_source(url, CODE)
    assert (source.kind, source.repo_id, source.subpath, source.default_name) == (
        SourceKind.GITHUB,
        repo,
        subpath,
        name,
    )


def test_github_and_kaggle_datasets_are_allowed() -> None:
    assert parse_source("https://github.com/rajpurkar/SQuAD-explorer", DATASET).kind is SourceKind.GITHUB
    kaggle = parse_source("https://www.kaggle.com/datasets/uciml/iris", DATASET)
    assert (kaggle.kind, kaggle.repo_id, kaggle.default_name) == (SourceKind.KAGGLE, "uciml/iris", "iris")


@pytest.mark.parametrize(
    ("url", "artifact_type", "reason"),
    [
        ("not a url", MODEL, "absolute"),
        ("ftp://huggingface.co/x/y", MODEL, "absolute"),
        ("https://example.com/model.bin", MODEL, "unsupported source host"),
        ("https://huggingface.co/", MODEL, "does not name"),
        ("https://huggingface.co/spaces/owner/app", MODEL, "does not name"),
        ("https://huggingface.co/datasets/rajpurkar/squad", MODEL, "cannot be registered as a model"),
        ("https://huggingface.co/google-bert/bert-base-uncased", CODE, "cannot be registered as a code"),
        ("https://github.com/google-research", CODE, "must name a repository"),
        ("https://github.com/google-research/bert", MODEL, "cannot be registered as a model"),
        ("https://www.kaggle.com/competitions/titanic", DATASET, "must name a dataset"),
    ],
)
def test_refused_urls_say_why(url: str, artifact_type: ArtifactType, reason: str) -> None:
    with pytest.raises(InvalidSource, match=reason):
        parse_source(url, artifact_type)
