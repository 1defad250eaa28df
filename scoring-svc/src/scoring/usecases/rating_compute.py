"""Rate a model: gather evidence once, compute every metric and scan its pickle-based files concurrently, apply the
quality gate, store.

At ingest (``gate``) a rating that fails the gate is answered but not stored (the catalog then refuses the
artifact with 424), and a metric that cannot be computed refuses it too (502 when a source was unreachable).
On update (no gate) such a failure is stored, so ``/rate`` answers the spec's 500 naming the metric. A stored
rating moves the tree_score of the model's rated descendants (``refresh_tree``).

At ingest a model the pickle scan refuses (a dangerous import, or a file the Hub marks unsafe; ``PicklePolicy``,
independent of the quality gate's settings) is answered 424 naming the files and imports, and not stored. On update
the scan is only reported.
"""

import asyncio
import time
from collections.abc import Mapping
from typing import NoReturn

import structlog

from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import NodeParents
from contracts.scoring import MetricNote, PickleScanReport, RateModel, RatingReport
from scoring.deps import Deps
from scoring.domain.license_score import family_score
from scoring.domain.license_text import INHERITED_FACTOR
from scoring.domain.quality_gate import gate
from scoring.evidence.metrics import INDEPENDENT, Measured, MetricFunction
from scoring.evidence.sources import Evidence
from scoring.ports import SourceUnavailable
from scoring.usecases._pickle_scan import pickle_refusal, scan_pickles
from scoring.usecases._rating import (
    build_rating,
    metric_scores,
    net_scores,
    parent_reports,
    tree_and_net,
    tree_detail,
)
from scoring.usecases.refresh_tree import model_parents, refresh_children

log = structlog.get_logger()


async def _timed(name: str, measure: MetricFunction, evidence: Evidence) -> tuple[str, Measured | Exception, float]:
    started = time.perf_counter()
    try:
        result: Measured | Exception = await measure(evidence)
    except Exception as error:
        result = error
    return name, result, time.perf_counter() - started


async def _lineage(evidence: Evidence) -> Measured:
    """Fetch the lineage relatives with the other sources (tree_score itself needs the other metrics first)."""
    await evidence.relatives()
    return Measured(0.0, False, "")


def _failure(failed: Mapping[str, Exception]) -> ServiceFailure:
    names = ", ".join(sorted(failed))
    reasons = "; ".join(f"{name}: {error}" for name, error in sorted(failed.items()))
    code = (
        ErrorCode.UPSTREAM_FAILED
        if all(isinstance(e, SourceUnavailable) for e in failed.values())
        else ErrorCode.INTERNAL
    )
    return ServiceFailure(code, f"Rating failed: could not compute {names} ({reasons}).")


def _inherit_licence(measured: Measured, parents: Mapping[str, RatingReport]) -> Measured:
    if measured.license_id is not None:
        return measured
    for parent, report in parents.items():
        licence = report.license_id
        if licence:
            score = round(family_score(licence) * INHERITED_FACTOR, 4)
            return Measured(score, True, f"none stated; inherits {licence} from parent {parent}", license_id=licence)
    return measured


async def rating_compute(command: RateModel, deps: Deps) -> RatingReport:
    """Compute, gate and store the rating of one model; answers the report (stored or not)."""
    started = time.perf_counter()
    measured, seconds, relatives, scan = await _measure(command, deps)
    tree_started = time.perf_counter()
    parents = await parent_reports(deps.store, model_parents(relatives))
    measured["license"] = _inherit_licence(measured["license"], parents)
    parent_scores = net_scores(parents)
    scores = metric_scores({name: m.score for name, m in measured.items()}, measured["size_score"].score)
    tree, net = tree_and_net(scores, list(parent_scores.values()), deps.policy.weights)
    seconds["tree_score"] += time.perf_counter() - tree_started
    seconds["net_score"] = time.perf_counter() - started
    measured["tree_score"] = Measured(tree, bool(parent_scores), tree_detail(len(parent_scores)))
    measured["net_score"] = Measured(net, False, "weighted sum of every metric (docs/metrics.md)")
    refused = pickle_refusal(scan, deps.policy.pickles) if command.gate else None
    scan = scan.model_copy(update={"refused": refused})
    report = _report(command, deps, measured, seconds, list(parent_scores)).model_copy(update={"pickle_scan": scan})
    for metric, spent in seconds.items():
        deps.observer.metric_seconds(metric, spent)
    deps.observer.metric_seconds("pickle_scan", scan.seconds)
    if not command.gate and any(file.verdict == "dangerous" for file in scan.files):
        log.warning("dangerous_pickle_kept_on_update", artifact_id=command.artifact_id, detail=scan.detail)
    if refused is not None:
        log.warning("rating_refused_pickle", artifact_id=command.artifact_id, reason=refused)
        deps.observer.outcome("refused")
        raise ServiceFailure(ErrorCode.FAILED_DEPENDENCY, refused)
    if command.gate and report.gate_failures:
        log.info("rating_refused", artifact_id=command.artifact_id, failing=report.gate_failures)
        deps.observer.outcome("refused")
        return report
    await deps.store.put(report)
    deps.observer.outcome("stored")
    log.info("rating_stored", artifact_id=command.artifact_id, net_score=net, seconds=round(seconds["net_score"], 3))
    await refresh_children(command.artifact_id, relatives, deps)
    return report


async def _measure(
    command: RateModel, deps: Deps
) -> tuple[dict[str, Measured], dict[str, float], NodeParents | None, PickleScanReport]:
    """Every independent metric with its latency, and the pickle scan, concurrently; a failed metric fails the rating."""
    evidence = Evidence(command, deps.sources)
    try:
        timed = [_timed(name, fn, evidence) for name, fn in INDEPENDENT.items()]
        try:
            async with asyncio.timeout(deps.policy.rating_seconds):
                metrics = asyncio.gather(*timed, _timed("tree_score", _lineage, evidence))
                results, scan = await asyncio.gather(metrics, scan_pickles(evidence))
        except TimeoutError:
            budget = f"Rating failed: not finished within {deps.policy.rating_seconds:g} s."
            await _fail(command, deps, ServiceFailure(ErrorCode.TIMEOUT, budget), ["all"])
        failed = {name: r for name, r, _ in results if isinstance(r, Exception)}
        if failed:
            await _fail(command, deps, _failure(failed), sorted(failed))
        relatives = await evidence.relatives()
    finally:
        evidence.close()
    measured = {name: r for name, r, _ in results if isinstance(r, Measured)}
    return measured, {name: s for name, _, s in results}, relatives, scan


async def _fail(command: RateModel, deps: Deps, failure: ServiceFailure, metrics: list[str]) -> NoReturn:
    log.warning("rating_failed", artifact_id=command.artifact_id, metrics=metrics, error=failure.message)
    deps.observer.outcome("failed")
    if not command.gate:
        await deps.store.put_failure(command.artifact_id, failure.message, deps.clock())
        raise ServiceFailure(ErrorCode.INTERNAL, failure.message)
    raise failure


def _report(
    command: RateModel, deps: Deps, measured: dict[str, Measured], seconds: dict[str, float], parents: list[str]
) -> RatingReport:
    rating = build_rating(command.name, measured, seconds, measured["tree_score"].score, measured["net_score"].score)
    policy = deps.policy.gate
    gated = [m for m in policy.metrics if m in measured and measured[m].applicable] if policy.enabled else []
    failing = gate({m: measured[m].score for m in gated}, policy.threshold, gated)
    notes = [MetricNote(metric=n, score=m.score, applicable=m.applicable, detail=m.detail) for n, m in measured.items()]
    return RatingReport(
        artifact_id=command.artifact_id,
        rating=rating,
        notes=notes,
        gated=gated,
        gate_failures=failing,
        parents=parents,
        license_id=measured["license"].license_id,
        rated_at=deps.clock(),
    )
