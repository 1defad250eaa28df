"""Quality gate: which metrics stop a model from being accepted (ingested) into the registry.

Seed policy: every applicable metric must score at least 0.5. ``gate`` returns the names of the failing metrics
(empty list: the model passes), in the order of ``metrics``.

Applicable (``DEFAULT_GATED``): the ten scalar non-latency metrics of ModelRating except net_score and size_score —
ramp_up_time, bus_factor, performance_claims, license, dataset_and_code_score, dataset_quality, code_quality,
reproducibility, reviewedness, tree_score.

- ``*_latency`` fields are never gated (they time the rating, they do not rate the model), even if listed.
- net_score is excluded: it is derived from the others and would only double-count.
- size_score is excluded: a large model is not an untrustworthy one, only one that needs a bigger machine.
- A gated metric missing from ``scores`` (or not a finite number) fails: an unmeasured metric is not evidence.

Both the threshold and the gated metrics are parameters, so an operator can relax or extend the policy.
"""

import math
from collections.abc import Iterable, Mapping
from typing import Final

DEFAULT_THRESHOLD: Final = 0.5
DEFAULT_GATED: Final = (
    "ramp_up_time",
    "bus_factor",
    "performance_claims",
    "license",
    "dataset_and_code_score",
    "dataset_quality",
    "code_quality",
    "reproducibility",
    "reviewedness",
    "tree_score",
)


def gate(
    scores: Mapping[str, float],
    threshold: float = DEFAULT_THRESHOLD,
    metrics: Iterable[str] = DEFAULT_GATED,
) -> list[str]:
    """Names of the gated metrics scoring below ``threshold`` (or missing); latency fields are never gated."""
    failing: list[str] = []
    for name in metrics:
        if name.endswith("_latency"):
            continue
        value = scores.get(name)
        if not isinstance(value, int | float) or not math.isfinite(value) or value < threshold:
            failing.append(name)
    return failing
