"""Dataset quality: how well the datasets the model was trained or evaluated on are documented.

Inputs (``DatasetCard`` per linked dataset): the dataset card's markdown text and its parsed YAML card data.
Per-dataset formula, a weighted sum of signals in [0, 1]:

- 0.40 documentation sections: headings naming description/summary, structure/fields/splits, creation/collection/
  curation/source, bias/limitations/considerations, citation; the fraction of those five found;
- 0.25 licence stated in the card data (``license``);
- 0.15 size category stated (``size_categories``) or a task declared (``task_categories``);
- 0.20 examples: a fenced code block or a markdown table (a data instance or a loading snippet).

The metric is the mean over linked datasets. Edge cases: no linked dataset → 0 (nothing to vouch for the training
data); a dataset whose card is empty contributes 0 to the mean.

Why: the five sections are those of the Hugging Face dataset card template (after "Datasheets for Datasets"); a
licence and size let users judge reuse and scale; an example shows what the data actually looks like.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from scoring.domain._score import bounded

_SECTIONS: Final = tuple(
    re.compile(rf"^#+[^\n]*\b({words})", re.I | re.M)
    for words in (
        "description|summary|overview",
        "structure|fields|splits|schema",
        "creation|collection|curation|source",
        "bias|limitation|considerations|ethic",
        "citation|bibtex",
    )
)
_EXAMPLE: Final = re.compile(r"^\s*(```|~~~)|^\s*\|.+\|\s*$", re.M)


@dataclass(frozen=True, slots=True)
class DatasetCard:
    """One linked dataset's card: markdown body and parsed YAML metadata."""

    text: str = ""
    card_data: Mapping[str, object] = field(default_factory=dict)


def card_quality(card: DatasetCard) -> float:
    """Score in [0, 1] of one dataset card's documentation."""
    sections = sum(1 for pattern in _SECTIONS if pattern.search(card.text)) / len(_SECTIONS)
    licence = 1.0 if card.card_data.get("license") else 0.0
    sized = 1.0 if card.card_data.get("size_categories") or card.card_data.get("task_categories") else 0.0
    example = 1.0 if _EXAMPLE.search(card.text) else 0.0
    return bounded(0.40 * sections + 0.25 * licence + 0.15 * sized + 0.20 * example)


def dataset_quality(cards: Sequence[DatasetCard]) -> float:
    """Mean card quality over the linked datasets; no dataset scores 0."""
    if not cards:
        return 0.0
    return bounded(sum(card_quality(card) for card in cards) / len(cards))
