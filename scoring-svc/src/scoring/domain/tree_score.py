"""Tree score: the trustworthiness inherited from the models this one was derived from (its lineage parents).

Inputs (``TreeInput``): the net scores of the model's direct parents in the lineage graph (base model, fine-tuned
from, distilled from...), and the model's own score computed from every other metric
(``net_score.own_score``).

Formula: the mean of the parents' net scores.

Edge case, no parents: the score is the model's own score. A root (base) model is then neither rewarded nor
punished by this metric: its net_score equals its own score. Scoring it 0 would sink every foundation model below
its own fine-tunes; scoring it 1 would reward a missing lineage, which is also what an uploader who hides the
base model would get. Parent scores outside [0, 1] are clamped.

Why: a fine-tune inherits its parent's training data, licence terms and flaws; the parents' net scores already
summarise those (and recursively their own parents'), so one level of averaging carries the whole ancestry.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.domain._score import bounded


@dataclass(frozen=True, slots=True)
class TreeInput:
    """The parents' net scores (empty for a root model) and the model's own score, used when it has no parents."""

    parent_net_scores: Sequence[float] = ()
    own_score: float = 0.0


def tree_score(tree: TreeInput) -> float:
    """Mean of the parents' net scores; the model's own score when it has no parents."""
    if not tree.parent_net_scores:
        return bounded(tree.own_score)
    parents = [bounded(score) for score in tree.parent_net_scores]
    return bounded(sum(parents) / len(parents))
