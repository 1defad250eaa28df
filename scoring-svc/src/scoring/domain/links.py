"""Which code repository and which datasets a model card links to (the evidence other metrics read).

Code repository: GitHub links in the card (``github.com/<owner>/<repo>``, ``.git`` and trailing punctuation
stripped). A bare link to a general-purpose library or framework (``LIBRARIES``: transformers, diffusers, pytorch,
...) names a dependency, not the model's own code, and is skipped; a deep link into such a repository
(``.../tree/main/examples/distillation``) points at the code that produced the model and counts. Among the
candidates the first one whose name shares a word with the model's name wins, else the first in card order.

Datasets: the card data's ``datasets:`` list (Hugging Face ids, legacy ids without owner included), then
``huggingface.co/datasets/<id>`` links in the text, first ``MAX_DATASETS`` in that order without repeats.
"""

import re
from collections.abc import Mapping
from typing import Final

from svckit.upstream_paths import BadUpstreamUrl, github_repo

MAX_DATASETS: Final = 5
LIBRARIES: Final = frozenset(
    {
        "huggingface/transformers",
        "huggingface/transformers.js",
        "huggingface/diffusers",
        "huggingface/datasets",
        "huggingface/optimum",
        "huggingface/peft",
        "huggingface/accelerate",
        "huggingface/huggingface_hub",
        "huggingface/tokenizers",
        "pytorch/pytorch",
        "tensorflow/tensorflow",
        "google/jax",
        "keras-team/keras",
        "microsoft/onnxruntime",
        "onnx/onnx",
        "ggerganov/llama.cpp",
        "ggml-org/llama.cpp",
    }
)
_GITHUB: Final = re.compile(r"github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/(tree|blob)/[^\s)\]\"'>]+)?")
_HF_DATASET: Final = re.compile(r"huggingface\.co/datasets/([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)?)")
_WORD: Final = re.compile(r"[a-z0-9]+")
_IGNORED_WORDS: Final = frozenset({"base", "large", "small", "model", "v1", "v2", "v3", "hf", "the"})


def _repo_id(owner: str, name: str) -> str | None:
    """``owner/name`` of a linked repository, or None when the link names none (``..``, a malformed name)."""
    try:
        return github_repo(owner, name.rstrip(".,;:"))
    except BadUpstreamUrl:
        return None


def code_repository(card_text: str, model_name: str) -> str | None:
    """The GitHub ``owner/repo`` holding the model's own code, or None when the card links none."""
    candidates: list[str] = []
    for match in _GITHUB.finditer(card_text):
        repo = _repo_id(match.group(1), match.group(2))
        if repo is None:
            continue
        deep = match.group(3) is not None
        if repo.lower() in LIBRARIES and not deep:
            continue
        if repo not in candidates:
            candidates.append(repo)
    if not candidates:
        return None
    words = set(_WORD.findall(model_name.lower())) - _IGNORED_WORDS
    for repo in candidates:
        if words & set(_WORD.findall(repo.lower())):
            return repo
    return candidates[0]


def linked_datasets(card_data: Mapping[str, object], card_text: str) -> list[str]:
    """Dataset ids the card declares (metadata first, then links), at most ``MAX_DATASETS``."""
    found: list[str] = []
    declared = card_data.get("datasets")
    if isinstance(declared, str):
        declared = [declared]
    if isinstance(declared, list):
        found.extend(str(item).strip() for item in declared if isinstance(item, str) and item.strip())
    found.extend(match.group(1).rstrip(".,;:") for match in _HF_DATASET.finditer(card_text))
    return list(dict.fromkeys(found))[:MAX_DATASETS]
