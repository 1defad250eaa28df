"""Performance claims: does the model card back its claims with evaluation results and sources?

Inputs (``ClaimsInput``): the card's YAML card data (a dict, as Hugging Face parses it) and the card's markdown text.
Formula, a weighted sum of three signals, each in [0, 1]:

- 0.5 structured results: numeric metric values under ``model-index[*].results[*].metrics[*].value``,
  diminishing returns (1 value → 0.5, 3 → 0.75);
- 0.3 benchmark tables: markdown table rows (``| ... |`` lines, separators excluded) holding a numeric cell,
  diminishing returns (2 rows → 0.5);
- 0.2 sources: arXiv links or ids, DOIs, or a BibTeX entry (``@article{``, ``@inproceedings{``, ``@misc{``).

Edge cases: no card data and no text → 0; a malformed ``model-index`` (not a list, non-dict entries, non-numeric
values) is skipped rather than failing, since card data is user-written YAML.

Why: machine-readable results are verifiable and comparable, so they weigh most; tables in prose are the common
human-written alternative; a citation lets a reader find the evaluation protocol but proves nothing alone.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from scoring.domain._score import bounded, saturating

_TABLE_ROW: Final = re.compile(r"^\s*\|(.+)\|\s*$", re.M)
_SEPARATOR: Final = re.compile(r"^[\s|:\-]+$")
_NUMBER: Final = re.compile(r"^\s*[-+]?\d+(\.\d+)?\s*%?\s*$")
_SOURCE: Final = re.compile(
    r"arxiv\.org/(abs|pdf)/|\barxiv:\s*\d{4}\.\d{4,5}|\bdoi\.org/|@(article|inproceedings|misc)\{", re.I
)


@dataclass(frozen=True, slots=True)
class ClaimsInput:
    """The model card: its parsed YAML metadata and its markdown body."""

    card_data: Mapping[str, object] = field(default_factory=dict)
    text: str = ""


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _model_index_values(card_data: Mapping[str, object]) -> int:
    count = 0
    for entry in _as_list(card_data.get("model-index")):
        if not isinstance(entry, dict):
            continue
        for result in _as_list(entry.get("results")):
            if not isinstance(result, dict):
                continue
            for metric in _as_list(result.get("metrics")):
                value = metric.get("value") if isinstance(metric, dict) else None
                if isinstance(value, int | float) and not isinstance(value, bool):
                    count += 1
    return count


def _numeric_table_rows(text: str) -> int:
    rows = (m.group(1) for m in _TABLE_ROW.finditer(text) if not _SEPARATOR.match(m.group(0)))
    return sum(1 for row in rows if any(_NUMBER.match(cell) for cell in row.split("|")))


def performance_claims(claims: ClaimsInput) -> float:
    """Score in [0, 1] of how well the card's performance claims are evidenced; nothing evidenced scores 0."""
    score = (
        0.5 * saturating(_model_index_values(claims.card_data), 1)
        + 0.3 * saturating(_numeric_table_rows(claims.text), 2)
        + 0.2 * (1.0 if _SOURCE.search(claims.text) else 0.0)
    )
    return bounded(score)
