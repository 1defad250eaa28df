"""Exact, case-sensitive lookup by name."""

from catalog.deps import Deps
from contracts.artifacts import ArtifactList, FindByName
from contracts.errors import ErrorCode, ServiceFailure


async def artifact_by_name(query: FindByName, deps: Deps) -> ArtifactList:
    """Every artifact with exactly this name, or 404."""
    if query.name == "*":
        raise ServiceFailure(ErrorCode.BAD_REQUEST, "The name '*' is reserved; use POST /artifacts to enumerate.")
    items = await deps.artifacts.by_name(query.name)
    if not items:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No artifact is named {query.name!r}.")
    return ArtifactList(items=[a.metadata for a in items])
