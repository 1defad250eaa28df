from scoring.domain.reviewedness import PullRequest, ReviewInput, reviewedness


def test_no_repository_scores_zero() -> None:
    assert reviewedness(ReviewInput([PullRequest(100, True)], None)) == 0.0


def test_empty_repository_scores_zero() -> None:
    assert reviewedness(ReviewInput([PullRequest(100, True)], 0)) == 0.0


def test_no_pull_requests_scores_zero() -> None:
    assert reviewedness(ReviewInput([], 1000)) == 0.0


def test_fraction_of_lines_from_reviewed_pull_requests() -> None:
    prs = [PullRequest(300, True), PullRequest(500, False), PullRequest(100, True)]
    assert reviewedness(ReviewInput(prs, 1000)) == 0.4


def test_more_reviewed_lines_than_current_code_is_clamped() -> None:
    assert reviewedness(ReviewInput([PullRequest(5000, True)], 1000)) == 1.0


def test_reviewing_a_pull_request_raises_the_score() -> None:
    unreviewed = reviewedness(ReviewInput([PullRequest(500, False)], 1000))
    reviewed = reviewedness(ReviewInput([PullRequest(500, True)], 1000))
    assert unreviewed < reviewed
