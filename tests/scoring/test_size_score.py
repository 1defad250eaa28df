import pytest

from scoring.domain.size_score import GB, SizeInput, device_score, size_score


def test_tiny_model_fits_everywhere() -> None:
    result = size_score(SizeInput(100_000_000))
    assert result.as_dict() == {"raspberry_pi": 1.0, "jetson_nano": 1.0, "desktop_pc": 1.0, "aws_server": 1.0}
    assert result.mean() == 1.0


def test_huge_model_fits_nowhere() -> None:
    result = size_score(SizeInput(500 * GB))
    assert result.as_dict() == {"raspberry_pi": 0.0, "jetson_nano": 0.0, "desktop_pc": 0.0, "aws_server": 0.0}


def test_unknown_size_scores_zero_everywhere() -> None:
    assert size_score(SizeInput(None)).mean() == 0.0
    assert size_score(SizeInput(-1)).mean() == 0.0


def test_seven_billion_fp16_model_fits_only_big_machines() -> None:
    result = size_score(SizeInput(14 * GB))
    assert result.raspberry_pi == 0.0
    assert result.jetson_nano == 0.0
    assert 0.0 < result.desktop_pc < 1.0
    assert result.aws_server == 1.0


def test_score_at_the_budget_is_two_thirds() -> None:
    assert device_score(GB, GB) == pytest.approx(0.6667)


@pytest.mark.parametrize("device", ["raspberry_pi", "jetson_nano", "desktop_pc", "aws_server"])
def test_scores_fall_as_size_grows(device: str) -> None:
    sizes = [0, GB // 4, GB, 3 * GB, 10 * GB, 40 * GB, 100 * GB, 200 * GB]
    scores = [size_score(SizeInput(s)).as_dict()[device] for s in sizes]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
