"""Turning measured metrics into the spec's ``ModelRating``, and the tree/net arithmetic shared by the use cases."""

from collections.abc import Mapping, Sequence
from typing import Final

from contracts.scoring import ModelRating, RatingReport, SizeScores
from scoring.domain.net_score import MetricScores, Weights, category, net_score, own_score
from scoring.domain.quality_gate import DEFAULT_GATED
from scoring.domain.size_score import SizeScore
from scoring.domain.tree_score import TreeInput, tree_score
from scoring.evidence.metrics import Measured
from scoring.ports import RatingStore

# The scalar metrics computed from evidence (the gate's list without tree_score, which follows from them).
SCALARS: Final = tuple(metric for metric in DEFAULT_GATED if metric != "tree_score")


def metric_scores(scores: Mapping[str, float], size_mean: float, tree: float = 0.0) -> MetricScores:
    """The domain's ``MetricScores`` from per-metric scores."""
    return MetricScores(**{name: scores[name] for name in SCALARS}, size_score=size_mean, tree_score=tree)


def scores_of(rating: ModelRating) -> MetricScores:
    """The per-metric scores of a stored rating (the size term averaged exactly as when it was computed)."""
    mean = SizeScore(**rating.size_score.model_dump()).mean()
    return metric_scores({name: getattr(rating, name) for name in SCALARS}, mean, rating.tree_score)


async def parent_reports(store: RatingStore, parents: Sequence[str]) -> dict[str, RatingReport]:
    """The stored reports of the parents that have one, by id, in ``parents``' order."""
    found: dict[str, RatingReport] = {}
    for parent in parents:
        stored = await store.get(parent)
        if stored is not None and stored.report is not None:
            found[parent] = stored.report
    return found


def net_scores(reports: Mapping[str, RatingReport]) -> dict[str, float]:
    """Each report's net score, by id."""
    return {artifact_id: report.rating.net_score for artifact_id, report in reports.items()}


def tree_and_net(scores: MetricScores, parents: Sequence[float], weights: Weights) -> tuple[float, float]:
    """tree_score from the parents (own score without parents), then net_score with it."""
    tree = tree_score(TreeInput(parent_net_scores=parents, own_score=own_score(scores, weights)))
    fields = {name: getattr(scores, name) for name in (*SCALARS, "size_score")}
    return tree, net_score(MetricScores(**fields, tree_score=tree), weights)


def build_rating(
    name: str, measured: Mapping[str, Measured], seconds: Mapping[str, float], tree: float, net: float
) -> ModelRating:
    """The 28-field rating; ``seconds`` holds every metric's latency, net_score's included."""
    size = measured["size_score"].size
    assert size is not None, "size_score always carries its device scores"
    values: dict[str, float] = {}
    for metric in SCALARS:
        values[metric] = measured[metric].score
        values[f"{metric}_latency"] = round(seconds[metric], 6)
    return ModelRating(
        name=name,
        category=category("model"),
        net_score=net,
        net_score_latency=round(seconds["net_score"], 6),
        tree_score=tree,
        tree_score_latency=round(seconds["tree_score"], 6),
        size_score=SizeScores(**size.as_dict()),
        size_score_latency=round(seconds["size_score"], 6),
        **values,
    )


def with_tree(report: RatingReport, parents: Sequence[str], tree: float, net: float, seconds: float) -> RatingReport:
    """``report`` with a new tree_score (and so net_score) after its lineage changed."""
    rating = report.rating.model_copy(update={"tree_score": tree, "net_score": net, "tree_score_latency": seconds})
    notes = [
        note.model_copy(update={"score": tree, "detail": tree_detail(len(parents))})
        if note.metric == "tree_score"
        else note.model_copy(update={"score": net})
        if note.metric == "net_score"
        else note
        for note in report.notes
    ]
    return report.model_copy(update={"rating": rating, "notes": notes, "parents": list(parents)})


def tree_detail(parents: int) -> str:
    """The explanation of a tree_score averaged over ``parents`` rated parents."""
    if parents == 0:
        return "no rated parent model: the model's own score"
    return f"mean net_score of {parents} rated parent model(s)"
