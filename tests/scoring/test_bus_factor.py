import pytest

from scoring.domain.bus_factor import ContributorCommits, bus_factor, key_people


def test_no_contributors_scores_zero() -> None:
    assert bus_factor(ContributorCommits()) == 0.0
    assert bus_factor(ContributorCommits([0, 0])) == 0.0


def test_single_contributor_scores_zero() -> None:
    assert bus_factor(ContributorCommits([120])) == 0.0


def test_one_dominant_contributor_among_many_scores_zero() -> None:
    assert bus_factor(ContributorCommits([900, 10, 10, 10, 10])) == 0.0


@pytest.mark.parametrize(("people", "expected"), [(2, 0.25), (3, 0.5), (4, 0.75), (5, 1.0), (30, 1.0)])
def test_evenly_shared_work_scales_with_team_size(people: int, expected: float) -> None:
    # with n equal contributors, ceil(n/2) of them cover half the commits
    counts = [10] * (2 * people - 1)
    assert key_people(counts) == people
    assert bus_factor(ContributorCommits(counts)) == expected


def test_order_of_counts_does_not_matter() -> None:
    assert bus_factor(ContributorCommits([1, 50, 49, 2])) == bus_factor(ContributorCommits([50, 49, 2, 1]))
