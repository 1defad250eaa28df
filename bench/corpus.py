"""Deterministic, realistic-looking artifacts: names like ``bert-base-uncased-0042`` and markdown READMEs.

A few READMEs contain what the benchmark's regular expressions look for (``Transformer``, a SQuAD
fine-tuning note, a text ending in ``a``), so the searches return a realistic, non-empty answer.
"""

import random
from dataclasses import dataclass

from contracts.artifacts import ArtifactType

FAMILIES: dict[ArtifactType, tuple[str, ...]] = {
    ArtifactType.MODEL: (
        "bert-base-uncased",
        "bert-base-cased",
        "bert-large-uncased",
        "distilbert-base-uncased",
        "roberta-base",
        "gpt2-medium",
        "t5-small",
        "llama-2-7b-chat",
        "mistral-7b-instruct",
        "whisper-tiny",
        "vit-base-patch16-224",
        "resnet-50",
    ),
    ArtifactType.DATASET: (
        "squad-v2",
        "imdb-reviews",
        "common-voice-11",
        "wikitext-103",
        "glue-mrpc",
        "coco-captions",
        "librispeech-clean",
    ),
    ArtifactType.CODE: ("pytorch-lightning", "tokenizers", "accelerate", "peft", "vllm", "llama.cpp"),
}
TYPE_WEIGHTS = {ArtifactType.MODEL: 0.6, ArtifactType.DATASET: 0.25, ArtifactType.CODE: 0.15}
OWNERS = ("google", "facebook", "openai", "microsoft", "huggingface", "stanford-nlp", "allenai", "EleutherAI")
# Fixed first artifacts so that the name pattern matches even in a quick run.
ANCHORS = (
    (ArtifactType.MODEL, "bert-base-uncased-0042"),
    (ArtifactType.MODEL, "bert-base-cased-0012"),
    (ArtifactType.MODEL, "bert-base-multilingual-cased-0032"),
)

SENTENCES = (
    "The model was pretrained on a large corpus of English data in a self-supervised fashion.",
    "It was trained with a masked language modeling objective and a next sentence prediction objective.",
    "Inputs are lowercased and tokenized using WordPiece with a vocabulary size of 30,000.",
    "Training ran for one million steps with a batch size of 256 and a sequence length of 128 tokens.",
    "The optimizer used is Adam with a learning rate of 1e-4, beta1 = 0.9 and beta2 = 0.999.",
    "This dataset contains question and answer pairs collected from crowd workers.",
    "Each example consists of a context paragraph, a question and one or more answer spans.",
    "Audio clips are sampled at 16 kHz and stored as FLAC files with their transcriptions.",
    "The library provides a simple API to train, evaluate and serve models at scale.",
    "Contributions are welcome: please open an issue before sending a large pull request.",
    "Results may vary depending on hardware, random seeds and the version of the dependencies.",
    "Even if the training data could be characterized as fairly neutral, this model can have biased predictions.",
    "The raw model can be used for masked language modeling but is mostly intended to be fine-tuned.",
    "Images are resized to 224x224 and normalized across the RGB channels with ImageNet statistics.",
    "We report the average of five runs; standard deviations are given in parentheses.",
    "Install the package with pip and make sure a recent version of PyTorch is available.",
)
KEYWORD_SENTENCES = (
    "The architecture is a Transformer encoder with 12 layers, 768 hidden units and 12 attention heads.",
    "This checkpoint was fine-tuned on SQuAD v2 for extractive question answering.",
    "Load it with the transformers library: `AutoModel.from_pretrained(...)`.",
)
SECTIONS = (
    "Model description",
    "Intended uses & limitations",
    "Training data",
    "Training procedure",
    "Evaluation results",
    "Limitations and bias",
    "How to contribute",
)
KEYWORD_RATE = 0.03
ENDS_IN_A_RATE = 0.01


@dataclass(frozen=True)
class SeedArtifact:
    """One artifact row to seed."""

    id: str
    type: ArtifactType
    name: str
    url: str
    readme: str


def generate(count: int, seed: int) -> list[SeedArtifact]:
    """``count`` artifacts with unique 16-digit ids, the same for the same ``seed``."""
    rng = random.Random(seed)
    ids: set[str] = set()
    out: list[SeedArtifact] = []
    kinds = list(TYPE_WEIGHTS)
    weights = [TYPE_WEIGHTS[k] for k in kinds]
    for index in range(count):
        if index < len(ANCHORS):
            kind, name = ANCHORS[index]
        else:
            kind = rng.choices(kinds, weights)[0]
            name = f"{rng.choice(FAMILIES[kind])}-{rng.randrange(1000):04d}"
        artifact_id = _unique_id(rng, ids)
        out.append(SeedArtifact(artifact_id, kind, name, _url(rng, kind, name), readme(rng, name)))
    return out


def readme(rng: random.Random, name: str) -> str:
    """A markdown README of 1-8 KB."""
    target = rng.randint(1024, 8192)
    parts = [f"# {name}\n\n", f"{rng.choice(SENTENCES)}\n"]
    size = sum(len(p) for p in parts)
    while size < target:
        section = _section(rng)
        parts.append(section)
        size += len(section)
    text = "".join(parts)[:target].rstrip() + "\n"
    if rng.random() < ENDS_IN_A_RATE:
        text += "\nSee also: alpaca"
    return text


def _section(rng: random.Random) -> str:
    title = rng.choice(SECTIONS)
    if title == "Evaluation results":
        rows = "".join(f"| {task} | {rng.uniform(60, 95):.1f} |\n" for task in ("MNLI", "QQP", "SST-2", "CoLA"))
        return f"\n## {title}\n\n| Task | Score |\n|------|-------|\n{rows}"
    sentences = [rng.choice(SENTENCES) for _ in range(rng.randint(3, 8))]
    if rng.random() < KEYWORD_RATE:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(KEYWORD_SENTENCES))
    return f"\n## {title}\n\n" + " ".join(sentences) + "\n"


def _unique_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        candidate = str(10**15 + rng.randrange(9 * 10**15))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _url(rng: random.Random, kind: ArtifactType, name: str) -> str:
    owner = rng.choice(OWNERS)
    if kind is ArtifactType.MODEL:
        return f"https://huggingface.co/{owner}/{name}"
    if kind is ArtifactType.DATASET:
        return f"https://huggingface.co/datasets/{owner}/{name}"
    return f"https://github.com/{owner}/{name}"
