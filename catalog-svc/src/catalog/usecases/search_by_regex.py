"""Regular-expression search over names and README/card text."""

from catalog.deps import Deps
from catalog.domain.search import InvalidPattern
from contracts.artifacts import ArtifactList, SearchByRegex
from contracts.errors import ErrorCode, ServiceFailure


async def search_by_regex(query: SearchByRegex, deps: Deps) -> ArtifactList:
    """Artifacts with a match in their name or README; 400 for a bad pattern, 404 for no match."""
    try:
        items = await deps.search.search(query.regex)
    except InvalidPattern as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, str(error)) from error
    if not items:
        raise ServiceFailure(ErrorCode.NOT_FOUND, "No artifact matches this regex.")
    return ArtifactList(items=items)
