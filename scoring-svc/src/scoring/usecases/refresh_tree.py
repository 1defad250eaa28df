"""Keep tree_score true when lineage changes: a model rated, re-rated or forgotten moves its descendants' scores.

Only tree_score and net_score change (the other metrics do not depend on relatives), so a refresh reads the
child's stored metrics, its current parents from lineage and their stored net scores; nothing is fetched upstream.
A child whose tree_score did not move stops the walk there. A model is refreshed again whenever one of its parents
moved after its last refresh (a diamond: D below both B and C → E), at most ``MAX_VISITS`` times, which also ends
any cycle. The walk is best effort: a failure is logged and the rating that started it stays stored.
"""

import time

import structlog

from contracts.artifacts import ArtifactType
from contracts.lineage import NodeParents
from scoring.deps import Deps
from scoring.usecases._rating import net_scores, parent_reports, scores_of, tree_and_net, with_tree

log = structlog.get_logger()


def model_parents(relatives: NodeParents | None) -> list[str]:
    """Ids of the parent models (datasets and code are not part of the model tree)."""
    if relatives is None:
        return []
    return [parent.artifact_id for parent in relatives.parents if parent.type is ArtifactType.MODEL]


def model_children(relatives: NodeParents | None) -> list[str]:
    """Ids of the child models."""
    if relatives is None:
        return []
    return [child.artifact_id for child in relatives.children if child.type is ArtifactType.MODEL]


MAX_VISITS = 5


async def refresh_children(artifact_id: str, relatives: NodeParents | None, deps: Deps) -> None:
    """Recompute the tree_score of every rated descendant of ``artifact_id`` whose parents' scores moved."""
    try:
        await _walk(artifact_id, relatives, deps)
    except Exception as error:  # the rating that started the walk is stored; descendants catch up on the next change
        log.warning("tree_refresh_failed", artifact_id=artifact_id, error=str(error))


async def _walk(artifact_id: str, relatives: NodeParents | None, deps: Deps) -> None:
    queue = list(dict.fromkeys([*model_children(relatives), *await deps.store.children(artifact_id)]))
    visits = {artifact_id: MAX_VISITS}
    while queue:
        child = queue.pop(0)
        if visits.get(child, 0) >= MAX_VISITS:
            continue
        visits[child] = visits.get(child, 0) + 1
        queue.extend(c for c in await _refresh(child, deps) if c not in queue)


async def _refresh(child: str, deps: Deps) -> list[str]:
    """Re-average one child's tree_score; its own children when the score moved, else nothing."""
    stored = await deps.store.get(child)
    if stored is None or stored.report is None:
        return []
    started = time.perf_counter()
    relatives = await deps.sources.relatives.of(child)
    parents = net_scores(await parent_reports(deps.store, model_parents(relatives)))
    report = stored.report
    tree, net = tree_and_net(scores_of(report.rating), list(parents.values()), deps.policy.weights)
    if tree == report.rating.tree_score and list(parents) == report.parents:
        return []
    await deps.store.put(with_tree(report, list(parents), tree, net, time.perf_counter() - started))
    log.info("tree_score_refreshed", artifact_id=child, tree_score=tree, net_score=net)
    return [*model_children(relatives), *await deps.store.children(child)]
