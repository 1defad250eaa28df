import pytest

from scoring.domain.dataset_and_code import DatasetAndCodeInput, dataset_and_code_score


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (DatasetAndCodeInput(), 0.0),
        (DatasetAndCodeInput(dataset_documented=True, code_documented=True), 0.0),
        (DatasetAndCodeInput(dataset_linked=True), 0.25),
        (DatasetAndCodeInput(dataset_linked=True, dataset_documented=True), 0.5),
        (DatasetAndCodeInput(code_linked=True, code_documented=True), 0.5),
        (DatasetAndCodeInput(dataset_linked=True, dataset_documented=True, code_linked=True), 0.75),
        (DatasetAndCodeInput(True, True, True, True), 1.0),
    ],
)
def test_rules(links: DatasetAndCodeInput, expected: float) -> None:
    assert dataset_and_code_score(links) == expected
