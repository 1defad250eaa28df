"""Net score: the weighted combination of every metric, and the model's category.

Inputs: ``MetricScores`` (every metric in [0, 1]; ``size_score`` enters as the mean of its four devices) and
``Weights`` (defaults below; configurable, must sum to 1).

| metric | default weight | why |
|---|---|---|
| license | 0.15 | a model you may not use is worthless to you, whatever its quality |
| ramp_up_time | 0.10 | adoption effort |
| bus_factor | 0.10 | maintenance risk |
| performance_claims | 0.10 | evidence the model does what it says |
| dataset_and_code_score | 0.10 | precondition of auditing the model |
| dataset_quality | 0.10 | training data drive behaviour and bias |
| code_quality | 0.10 | the code users will run |
| size_score (mean) | 0.10 | deployability |
| reproducibility | 0.05 | often unmeasurable (no example), so a smaller share |
| reviewedness | 0.05 | often unmeasurable (no PR history) |
| tree_score | 0.05 | already reflected in the parents' other metrics |

Formula: ``net = sum(weight_m x score_m)``. ``own_score`` is the same sum without tree_score, renormalised by
``1 - w_tree``; tree_score.py uses it for models without parents, so a root model's net score equals its own score.
"""

import math
from dataclasses import astuple, dataclass, fields
from typing import Final

from scoring.domain._score import bounded


@dataclass(frozen=True, slots=True)
class Weights:
    """Weight of each metric in net_score; they must sum to 1."""

    license: float = 0.15
    ramp_up_time: float = 0.10
    bus_factor: float = 0.10
    performance_claims: float = 0.10
    dataset_and_code_score: float = 0.10
    dataset_quality: float = 0.10
    code_quality: float = 0.10
    size_score: float = 0.10
    reproducibility: float = 0.05
    reviewedness: float = 0.05
    tree_score: float = 0.05

    def __post_init__(self) -> None:
        values = astuple(self)
        if any(w < 0 for w in values) or not math.isclose(sum(values), 1.0, abs_tol=1e-9):
            raise ValueError(f"weights must be non-negative and sum to 1, got {sum(values)}")


@dataclass(frozen=True, slots=True)
class MetricScores:
    """Every metric's score; ``size_score`` is the mean of the four device scores."""

    license: float = 0.0
    ramp_up_time: float = 0.0
    bus_factor: float = 0.0
    performance_claims: float = 0.0
    dataset_and_code_score: float = 0.0
    dataset_quality: float = 0.0
    code_quality: float = 0.0
    size_score: float = 0.0
    reproducibility: float = 0.0
    reviewedness: float = 0.0
    tree_score: float = 0.0


DEFAULT_WEIGHTS: Final = Weights()
MODEL_CATEGORY: Final = "MODEL"


def _weighted(scores: MetricScores, weights: Weights, skip: str | None = None) -> float:
    names = [f.name for f in fields(Weights) if f.name != skip]
    weight: dict[str, float] = {name: getattr(weights, name) for name in names}
    score: dict[str, float] = {name: bounded(getattr(scores, name)) for name in names}
    total = sum(weight.values())
    if total <= 0:
        return 0.0
    return sum(weight[name] * score[name] for name in names) / total


def net_score(scores: MetricScores, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """Weighted sum in [0, 1] of every metric."""
    return bounded(_weighted(scores, weights))


def own_score(scores: MetricScores, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """Weighted score without tree_score (weights renormalised): a root model's tree_score."""
    return bounded(_weighted(scores, weights, skip="tree_score"))


def category(artifact_type: str = "model") -> str:
    """The ModelRating ``category``: the artifact type in upper case ("MODEL" for every rated model)."""
    return artifact_type.strip().upper() or MODEL_CATEGORY
