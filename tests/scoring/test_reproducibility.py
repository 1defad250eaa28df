import pytest

from scoring.domain.reproducibility import RunOutcome, reproducibility


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (RunOutcome.RAN_UNCHANGED, 1.0),
        (RunOutcome.RAN_AFTER_FIXES, 0.5),
        (RunOutcome.FAILED, 0.0),
        (RunOutcome.NO_CODE, 0.0),
        (RunOutcome.NOT_RUN, 0.0),
    ],
)
def test_outcome_scores(outcome: RunOutcome, expected: float) -> None:
    assert reproducibility(outcome) == expected


def test_every_outcome_is_scored() -> None:
    assert {reproducibility(o) for o in RunOutcome} <= {0.0, 0.5, 1.0}
