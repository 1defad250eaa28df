"""Byte counts of packages, for download-cost estimates."""

from contracts.storage import PackageSizes, SizesQuery
from storage.deps import Deps


async def package_sizes(query: SizesQuery, deps: Deps) -> PackageSizes:
    """Each package's total bytes (None for unknown packages or sizes not known yet)."""
    return PackageSizes(sizes=await deps.index.total_sizes(list(dict.fromkeys(query.artifact_ids))))
