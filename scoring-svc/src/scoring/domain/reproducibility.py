"""Reproducibility: does the example code in the model card run?

Inputs (``RunOutcome``): the outcome of running the card's example code in a sandbox.

Formula: ``ran_unchanged`` → 1; ``ran_after_fixes`` (only mechanical fixes: a missing import, an install line,
a renamed argument) → 0.5; ``failed``, ``no_code`` or ``not_run`` → 0.

Edge cases: a card with no runnable example is ``no_code`` and scores 0, like a failure: a claim nobody can re-run
is not reproducible. ``not_run`` is an example this machine could not run safely (no isolated sandbox here): it
scores 0 too, and the rating marks it not applicable, since it says nothing about the model.

Why: the three-level scale matches how much effort a user spends before the model does anything.
"""

from enum import StrEnum
from typing import Final


class RunOutcome(StrEnum):
    """What happened when the card's example code was run."""

    RAN_UNCHANGED = "ran_unchanged"
    RAN_AFTER_FIXES = "ran_after_fixes"
    FAILED = "failed"
    NO_CODE = "no_code"
    NOT_RUN = "not_run"


SCORES: Final = {
    RunOutcome.RAN_UNCHANGED: 1.0,
    RunOutcome.RAN_AFTER_FIXES: 0.5,
    RunOutcome.FAILED: 0.0,
    RunOutcome.NO_CODE: 0.0,
    RunOutcome.NOT_RUN: 0.0,
}


def reproducibility(outcome: RunOutcome) -> float:
    """1, 0.5 or 0 by outcome."""
    return SCORES[outcome]
