"""What each component of the registry is for, in one sentence, written once: a service registers its own with
NATS (``$SRV.INFO``) and the gateway's ``GET /health/components`` shows the same text."""

from typing import Final

from contracts.subjects import CATALOG, LINEAGE, SCORING, STORAGE

GATEWAY: Final = "gateway"

DESCRIPTIONS: Final[dict[str, str]] = {
    GATEWAY: "HTTP API gateway: validates requests, checks tokens, routes them over NATS.",
    CATALOG: "Artifact metadata, search, audit trail, users and tokens.",
    STORAGE: "Artifact bytes in S3: content-addressed, copied by durable background jobs.",
    LINEAGE: "The lineage graph, download cost with dependencies, licence compatibility.",
    SCORING: "Trust ratings of models: every metric from real evidence, and the ingest quality gate.",
}


def describe(component: str) -> str:
    """The one-sentence description of ``component`` (its name when it has none yet)."""
    return DESCRIPTIONS.get(component, component)
