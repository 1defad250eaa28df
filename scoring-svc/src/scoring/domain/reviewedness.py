"""Reviewedness: the fraction of the repository's code that was introduced through reviewed pull requests.

Inputs (``ReviewInput``): the merged pull requests of the linked repository (lines added, whether it had at least
one review before merging) and the repository's total lines of code (``None`` when there is no repository).

Formula: ``sum(lines_added of reviewed PRs) / total_lines``, clamped to [0, 1] (lines added can exceed the current
total when code was later deleted, hence the clamp).

Edge cases: no repository (``total_lines is None``) → 0; an empty repository (0 lines) → 0; a repository with
no merged pull requests (everything pushed directly) → 0.

Why: code that a second person read before merging is less likely to hide mistakes or malicious changes; weighting
by lines rather than counting PRs keeps one huge unreviewed import from hiding behind many small reviewed fixes.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.domain._score import bounded


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A merged pull request: lines it added and whether it was reviewed before merging."""

    lines_added: int
    had_review: bool


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """The repository's merged pull requests and its total lines of code (``None``: no repository)."""

    pull_requests: Sequence[PullRequest] = ()
    total_lines: int | None = None


def reviewedness(review: ReviewInput) -> float:
    """Fraction in [0, 1] of code introduced by reviewed pull requests; no repository scores 0."""
    if not review.total_lines or review.total_lines <= 0:
        return 0.0
    reviewed = sum(max(0, pr.lines_added) for pr in review.pull_requests if pr.had_review)
    return bounded(reviewed / review.total_lines)
