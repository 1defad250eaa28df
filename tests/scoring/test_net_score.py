import dataclasses

import pytest

from scoring.domain.net_score import DEFAULT_WEIGHTS, MetricScores, Weights, category, net_score, own_score


def test_default_weights_sum_to_one() -> None:
    assert sum(dataclasses.astuple(DEFAULT_WEIGHTS)) == pytest.approx(1.0)


def test_extremes() -> None:
    ones = MetricScores(**{f.name: 1.0 for f in dataclasses.fields(MetricScores)})
    assert net_score(ones) == 1.0
    assert net_score(MetricScores()) == 0.0


def test_weights_that_do_not_sum_to_one_are_refused() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        Weights(license=0.9)


def test_custom_weights_change_the_result() -> None:
    scores = MetricScores(license=1.0)
    only_licence = Weights(
        license=1.0,
        ramp_up_time=0,
        bus_factor=0,
        performance_claims=0,
        dataset_and_code_score=0,
        dataset_quality=0,
        code_quality=0,
        size_score=0,
        reproducibility=0,
        reviewedness=0,
        tree_score=0,
    )
    assert net_score(scores) == 0.15
    assert net_score(scores, only_licence) == 1.0


def test_root_model_net_score_equals_its_own_score() -> None:
    partial = MetricScores(license=1.0, ramp_up_time=0.5, size_score=0.75, code_quality=0.3)
    own = own_score(partial)
    assert net_score(dataclasses.replace(partial, tree_score=own)) == pytest.approx(own, abs=1e-4)


def test_better_metrics_never_lower_the_net_score() -> None:
    base = MetricScores(license=0.5, bus_factor=0.5)
    for field in dataclasses.fields(MetricScores):
        better = dataclasses.replace(base, **{field.name: 1.0})
        assert net_score(better) > net_score(base)


def test_category() -> None:
    assert category() == "MODEL"
    assert category("dataset") == "DATASET"
