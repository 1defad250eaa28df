"""Every artifact's metadata row at one catalog revision, indexed for the reads the API makes (no I/O).

Look-ups by id and by name are dictionary reads; a page or a count of ``[{"name": "*", "types": [...]}]`` walks
only the per-type lists in registration order (``seq``) from the cursor on, so the cost of a page does not grow
with the catalog. Queries by name pick their few rows from the name index.
"""

import bisect
import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from catalog.domain.artifacts import StoredArtifact
from contracts.artifacts import ArtifactQuery, ArtifactType

ALL_TYPES = frozenset(ArtifactType)


@dataclass(frozen=True)
class Snapshot:
    """The rows of one revision (given in ``seq`` order)."""

    revision: int
    rows: Sequence[StoredArtifact]
    _by_id: dict[str, StoredArtifact] = field(init=False, repr=False)
    _by_name: dict[str, list[StoredArtifact]] = field(init=False, repr=False)
    _by_type: dict[ArtifactType, list[StoredArtifact]] = field(init=False, repr=False)
    _seqs: dict[ArtifactType, list[int]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[StoredArtifact]] = {}
        by_type: dict[ArtifactType, list[StoredArtifact]] = {kind: [] for kind in ArtifactType}
        for row in sorted(self.rows, key=lambda r: r.seq):
            by_name.setdefault(row.name, []).append(row)
            by_type[row.type].append(row)
        object.__setattr__(self, "_by_id", {row.id: row for row in self.rows})
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_type", by_type)
        object.__setattr__(self, "_seqs", {kind: [r.seq for r in rows] for kind, rows in by_type.items()})

    def get(self, artifact_id: str) -> StoredArtifact | None:
        """One artifact by id."""
        return self._by_id.get(artifact_id)

    def by_name(self, name: str) -> list[StoredArtifact]:
        """Exact, case-sensitive name match, in registration order."""
        return list(self._by_name.get(name, ()))

    def count(self, queries: Sequence[ArtifactQuery]) -> int:
        """How many artifacts match any of the queries."""
        every, named = self._plan(queries)
        return sum(len(self._by_type[kind]) for kind in every) + len(named)

    def page(self, queries: Sequence[ArtifactQuery], after: int, limit: int) -> list[StoredArtifact]:
        """Up to ``limit`` matches registered after cursor ``after``, in registration order."""
        every, named = self._plan(queries)
        streams: list[Iterable[StoredArtifact]] = [self._after(kind, after) for kind in sorted(every)]
        streams.append(row for row in named if row.seq > after)
        merged: Iterator[StoredArtifact] = heapq.merge(*streams, key=lambda row: row.seq)
        return [row for _, row in zip(range(limit), merged, strict=False)]

    def _after(self, kind: ArtifactType, after: int) -> Iterator[StoredArtifact]:
        rows = self._by_type[kind]
        for index in range(bisect.bisect_right(self._seqs[kind], after), len(rows)):
            yield rows[index]

    def _plan(self, queries: Sequence[ArtifactQuery]) -> tuple[frozenset[ArtifactType], list[StoredArtifact]]:
        """The types matched whole (``*`` queries), and the other matching rows in ``seq`` order."""
        every: set[ArtifactType] = set()
        for query in queries:
            if query.name == "*":
                every |= set(query.types) if query.types else ALL_TYPES
        named: dict[str, StoredArtifact] = {}
        for query in queries:
            if query.name == "*":
                continue
            wanted = set(query.types) if query.types else ALL_TYPES
            for row in self._by_name.get(query.name, ()):
                if row.type in wanted and row.type not in every:
                    named[row.id] = row
        return frozenset(every), sorted(named.values(), key=lambda row: row.seq)
