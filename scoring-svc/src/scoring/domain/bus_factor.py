"""Bus factor: how many people carry most of the work on the model's code repository.

Inputs (``ContributorCommits``): the commit count of each contributor of the linked repository.

Formula: sort the counts descending; ``k`` is the smallest number of contributors whose commits cover at least
half of all commits; the score is ``1 - 1/k`` scaled so that k = 5 or more scores 1: ``min(1, (k - 1) / 4)``.
So one dominant contributor scores 0, two score 0.25, three 0.5, four 0.75, five or more 1.

Edge cases: no contributors, or only zero counts (no repository, or an empty one) → 0; negative counts are treated
as 0.

Why: the classical "truck factor" asks how many people must leave before the project stalls; the people who made
half the commits are a common, cheap proxy (Avelino et al., 2016 use a similar degree-of-authorship threshold).
Five people is already a healthy team for a model's code, hence the cap.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from scoring.domain._score import bounded

COVERAGE: Final = 0.5
HEALTHY_TEAM: Final = 5


@dataclass(frozen=True, slots=True)
class ContributorCommits:
    """Commit counts, one per contributor, in any order."""

    counts: Sequence[int] = ()


def key_people(counts: Sequence[int], coverage: float = COVERAGE) -> int:
    """The smallest number of contributors whose commits reach ``coverage`` of the total (0 if no commits)."""
    ordered = sorted((max(0, c) for c in counts), reverse=True)
    total = sum(ordered)
    if total == 0:
        return 0
    covered = 0
    for k, count in enumerate(ordered, start=1):
        covered += count
        if covered >= coverage * total:
            return k
    return len(ordered)


def bus_factor(contributors: ContributorCommits) -> float:
    """Score in [0, 1]: 0 for one dominant contributor or none, 1 for five or more key people."""
    k = key_people(contributors.counts)
    if k == 0:
        return 0.0
    return bounded((k - 1) / (HEALTHY_TEAM - 1))
