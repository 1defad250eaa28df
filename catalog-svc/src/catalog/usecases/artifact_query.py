"""Enumerate artifacts matching a list of queries, one page at a time."""

from catalog.deps import Deps
from contracts.artifacts import ArtifactPage, QueryArtifacts
from contracts.errors import ErrorCode, ServiceFailure


async def artifact_query(query: QueryArtifacts, deps: Deps) -> ArtifactPage:
    """A page of matches after the cursor; 413 when the whole query would exceed the result limit."""
    limit = deps.policy.max_query_results
    total = await deps.artifacts.count(query.queries)
    if total > limit:
        raise ServiceFailure(
            ErrorCode.TOO_LARGE,
            f"The query matches {total} artifacts, more than the limit of {limit}; narrow it by name or type.",
        )
    rows = await deps.artifacts.page(query.queries, query.after, deps.policy.page_size + 1)
    page = rows[: deps.policy.page_size]
    cursor = page[-1].seq if page else query.after
    return ArtifactPage(items=[a.metadata for a in page], cursor=cursor, has_more=len(rows) > len(page))
