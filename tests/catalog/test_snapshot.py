"""The in-memory read model's queries answer exactly what the SQL store answers for the same rows."""

import pytest

from catalog.domain.artifacts import StoredArtifact
from catalog.domain.snapshot import Snapshot
from contracts.artifacts import ArtifactQuery, ArtifactType

M, D, C = ArtifactType.MODEL, ArtifactType.DATASET, ArtifactType.CODE
ROWS = [
    StoredArtifact(id=f"id{seq}", type=kind, name=name, url=f"https://x/{seq}", seq=seq)
    for seq, kind, name in [
        (1, M, "bert"), (2, D, "squad"), (3, M, "gpt2"), (5, C, "bert"), (8, M, "bert"), (9, D, "imdb"),
    ]
]  # fmt: skip
SNAPSHOT = Snapshot(7, list(reversed(ROWS)))  # any order in: seq order out


def _ids(rows: list[StoredArtifact]) -> list[str]:
    return [row.id for row in rows]


def test_look_ups_by_id_and_name() -> None:
    assert SNAPSHOT.get("id3") == ROWS[2] and SNAPSHOT.get("nope") is None
    assert _ids(SNAPSHOT.by_name("bert")) == ["id1", "id5", "id8"]
    assert SNAPSHOT.by_name("Bert") == []


@pytest.mark.parametrize(
    ("queries", "expected"),
    [
        ([ArtifactQuery(name="*")], ["id1", "id2", "id3", "id5", "id8", "id9"]),
        ([ArtifactQuery(name="*", types=[D])], ["id2", "id9"]),
        ([ArtifactQuery(name="bert", types=[M])], ["id1", "id8"]),
        ([ArtifactQuery(name="bert", types=[M]), ArtifactQuery(name="*", types=[C])], ["id1", "id5", "id8"]),
        ([ArtifactQuery(name="bert"), ArtifactQuery(name="*", types=[M])], ["id1", "id3", "id5", "id8"]),
        ([ArtifactQuery(name="imdb"), ArtifactQuery(name="imdb")], ["id9"]),
        ([ArtifactQuery(name="none")], []),
    ],
)
def test_pages_and_counts_match_any_query_in_registration_order(
    queries: list[ArtifactQuery], expected: list[str]
) -> None:
    assert SNAPSHOT.count(queries) == len(expected)
    assert _ids(SNAPSHOT.page(queries, 0, 100)) == expected
    assert _ids(SNAPSHOT.page(queries, 0, 2)) == expected[:2]
    after = ROWS[2].seq  # the cursor is a seq: the page goes on after it
    assert _ids(SNAPSHOT.page(queries, after, 100)) == [i for i in expected if int(i[2:]) > after]
