"""lineage-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.lineage import CostQuery, LicenseQuery, NodeRef, RecordArtifact
from lineage.deps import Deps
from lineage.usecases.artifact_cost import artifact_cost
from lineage.usecases.check_license import check_license
from lineage.usecases.forget_artifact import forget_artifact
from lineage.usecases.read_graph import read_graph
from lineage.usecases.read_parents import read_parents
from lineage.usecases.record_artifact import record_artifact
from lineage.usecases.reset_lineage import reset_lineage
from svckit.host import Endpoint, bind


def lineage_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject lineage-svc answers."""
    return [
        bind(subjects.LINEAGE_RECORD, RecordArtifact, record_artifact, deps),
        bind(subjects.LINEAGE_FORGET, NodeRef, forget_artifact, deps),
        bind(subjects.LINEAGE_GRAPH, NodeRef, read_graph, deps),
        bind(subjects.LINEAGE_PARENTS, NodeRef, read_parents, deps),
        bind(subjects.LINEAGE_COST, CostQuery, artifact_cost, deps),
        bind(subjects.LINEAGE_LICENSE, LicenseQuery, check_license, deps),
        bind(subjects.reset_subject(subjects.LINEAGE), ResetRequest, reset_lineage, deps),
    ]
