"""Byte counts of packages, for download-cost estimates."""

from contracts.storage import PackageSizes, SizesQuery
from storage.deps import Deps


async def package_sizes(query: SizesQuery, deps: Deps) -> PackageSizes:
    """Each package's total bytes (None for unknown packages or sizes not known yet)."""
    sizes: dict[str, int | None] = {}
    for artifact_id in dict.fromkeys(query.artifact_ids):
        package = await deps.index.get(artifact_id)
        sizes[artifact_id] = None if package is None else package.bytes_total
    return PackageSizes(sizes=sizes)
