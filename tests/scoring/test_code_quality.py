from scoring.domain.code_quality import CodeFacts, code_quality, lint_score


def test_nothing_scores_zero() -> None:
    assert code_quality(CodeFacts()) == 0.0


def test_clean_complete_project_scores_one() -> None:
    facts = CodeFacts(has_tests=True, has_ci=True, has_readme=True, has_packaging=True, python_lines=5000)
    assert code_quality(facts) == 1.0


def test_lint_density_is_per_thousand_lines() -> None:
    assert lint_score(0, 1000) == 1.0
    assert lint_score(10, 1000) == 0.5
    assert lint_score(100, 10_000) == 0.5
    assert lint_score(5, 0) == 0.0


def test_more_lint_issues_lower_the_score() -> None:
    scores = [code_quality(CodeFacts(has_tests=True, lint_issues=n, python_lines=2000)) for n in (0, 10, 100, 10_000)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)
    assert all(0.0 <= s <= 1.0 for s in scores)
