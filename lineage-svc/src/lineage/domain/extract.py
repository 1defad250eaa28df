"""Lineage edges from upstream metadata: ``config.json``, ``adapter_config.json`` and the model card."""

import re
from dataclasses import dataclass
from typing import Any

from contracts.artifacts import ArtifactType

RELATIONS = frozenset({"finetune", "adapter", "merge", "quantized"})
GITHUB_LINK = re.compile(r"https?://(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)")
NOT_REPOS = frozenset({"features", "topics", "orgs", "sponsors", "settings", "login", "about", "marketplace"})


class MalformedMetadata(ValueError):
    """Upstream lineage metadata that cannot be read (the spec's 400)."""


@dataclass(frozen=True)
class Edge:
    """A parent of an artifact, named as upstream names it, and how we know."""

    parent_ref: str
    parent_type: ArtifactType
    relationship: str
    source: str


@dataclass(frozen=True)
class ModelMetadata:
    """What lineage reads of a model upstream."""

    card: dict[str, Any]
    config: dict[str, Any] | None
    adapter_config: dict[str, Any] | None
    readme: str


def model_edges(repo_id: str, meta: ModelMetadata) -> list[Edge]:
    """Parents of a model: base models, fine-tuning datasets, linked code; each parent once."""
    relation = _relation(meta.card)
    found: list[Edge] = []
    if meta.config is not None:
        parent = meta.config.get("_name_or_path")
        if isinstance(parent, str):
            found.append(Edge(parent, ArtifactType.MODEL, relation or "base_model", "config_json"))
    if meta.adapter_config is not None:
        parent = meta.adapter_config.get("base_model_name_or_path")
        if isinstance(parent, str):
            found.append(Edge(parent, ArtifactType.MODEL, "adapter", "adapter_config_json"))
    for parent in _names(meta.card.get("base_model"), "base_model"):
        found.append(Edge(parent, ArtifactType.MODEL, relation or "base_model", "model_card"))
    for dataset in _names(meta.card.get("datasets"), "datasets"):
        found.append(Edge(dataset, ArtifactType.DATASET, "fine_tuning_dataset", "model_card"))
    for owner, repo in GITHUB_LINK.findall(meta.readme):
        if owner.lower() not in NOT_REPOS:
            found.append(
                Edge(f"{owner}/{repo.removesuffix('.git')}", ArtifactType.CODE, "code_repository", "model_card")
            )
    return _unique(e for e in found if _is_parent(e, repo_id))


def _relation(card: dict[str, Any]) -> str | None:
    relation = card.get("base_model_relation")
    if relation is None:
        return None
    if not isinstance(relation, str) or relation not in RELATIONS:
        raise MalformedMetadata(f"base_model_relation must be one of {sorted(RELATIONS)}, got {relation!r}")
    return relation


def _names(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise MalformedMetadata(f"card field {field!r} must be a name or a list of names, got {value!r}")


def _is_parent(edge: Edge, repo_id: str) -> bool:
    """Local paths (``./checkpoint``) and self-references are not lineage."""
    ref = edge.parent_ref.strip()
    return bool(ref) and not ref.startswith((".", "/")) and ref != repo_id


def _unique(edges: Any) -> list[Edge]:
    seen: dict[tuple[str, ArtifactType], Edge] = {}
    for edge in edges:
        seen.setdefault((edge.parent_ref, edge.parent_type), edge)
    return list(seen.values())
