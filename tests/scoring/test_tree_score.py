from scoring.domain.tree_score import TreeInput, tree_score


def test_root_model_scores_its_own_score() -> None:
    assert tree_score(TreeInput((), own_score=0.62)) == 0.62


def test_mean_of_parents() -> None:
    assert tree_score(TreeInput((0.8, 0.4), own_score=0.0)) == 0.6


def test_parents_outrank_own_score_when_present() -> None:
    assert tree_score(TreeInput((0.1,), own_score=0.9)) == 0.1


def test_out_of_range_parent_scores_are_clamped() -> None:
    assert tree_score(TreeInput((1.5, -1.0))) == 0.5
