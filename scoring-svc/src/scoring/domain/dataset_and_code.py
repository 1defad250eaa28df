"""Dataset and code score: are the training data and the code behind the model linked and documented?

Inputs (``DatasetAndCodeInput``): whether at least one dataset is linked (card data ``datasets:``, a dataset URL in
the card, or a lineage edge) and whether that link is documented (the dataset has a non-empty card), and the same two
facts for code (a GitHub repository linked, and it has a README).

Formula: each half is worth 0.5 — ``0.5`` when linked and documented, ``0.25`` when linked but undocumented, ``0``
when absent; the score is the sum (so 0, 0.25, 0.5, 0.75 or 1).

Edge cases: "documented" without "linked" is ignored (there is nothing to document); nothing linked → 0.

Why: being able to find the data and code is the precondition of every other check (dataset quality, code quality,
reproducibility); documentation makes the link usable, so it earns the second half of each half.
"""

from dataclasses import dataclass

from scoring.domain._score import bounded


@dataclass(frozen=True, slots=True)
class DatasetAndCodeInput:
    """Whether a dataset and code are linked from the model, and whether each link is documented."""

    dataset_linked: bool = False
    dataset_documented: bool = False
    code_linked: bool = False
    code_documented: bool = False


def _half(linked: bool, documented: bool) -> float:
    if not linked:
        return 0.0
    return 0.5 if documented else 0.25


def dataset_and_code_score(links: DatasetAndCodeInput) -> float:
    """Score in {0, 0.25, 0.5, 0.75, 1}: 0.5 per linked and documented half, 0.25 if only linked."""
    return bounded(
        _half(links.dataset_linked, links.dataset_documented) + _half(links.code_linked, links.code_documented)
    )
