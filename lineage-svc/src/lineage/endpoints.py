"""lineage-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.lineage import CostQuery, LicenseQuery, NodeRef, RecordArtifact
from lineage.deps import Deps
from lineage.usecases.lineage_cost import lineage_cost
from lineage.usecases.lineage_forget import lineage_forget
from lineage.usecases.lineage_graph import lineage_graph
from lineage.usecases.lineage_license import lineage_license
from lineage.usecases.lineage_parents import lineage_parents
from lineage.usecases.lineage_record import lineage_record
from lineage.usecases.lineage_reset import lineage_reset
from svckit.host import Endpoint, bind


def lineage_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject lineage-svc answers."""
    return [
        bind(subjects.LINEAGE_RECORD, RecordArtifact, lineage_record, deps),
        bind(subjects.LINEAGE_FORGET, NodeRef, lineage_forget, deps),
        bind(subjects.LINEAGE_GRAPH, NodeRef, lineage_graph, deps),
        bind(subjects.LINEAGE_PARENTS, NodeRef, lineage_parents, deps),
        bind(subjects.LINEAGE_COST, CostQuery, lineage_cost, deps),
        bind(subjects.LINEAGE_LICENSE, LicenseQuery, lineage_license, deps),
        bind(subjects.reset_subject(subjects.LINEAGE), ResetRequest, lineage_reset, deps),
    ]
