"""An index updated after a few writes holds exactly what an index built afresh holds."""

import random

import pytest

from catalog.domain.trigram_index import MAX_UPDATED, TrigramIndex, build_index, update_index

WORDS = ["bert", "base", "Kelvin", "\u212aELVIN", "\u017fun", "squad", "fine-tuned", "caf\u00e9", "a", "of", "x1"]


def _postings(index: TrigramIndex) -> dict[int, set[int]]:
    held = {gram: {n for n in range(index.documents) if bits >> n & 1} for gram, bits in index.dense.items()}
    held.update({gram: set(numbers) for gram, numbers in index.sparse.items()})
    return {gram: numbers for gram, numbers in held.items() if numbers}


def _document(rng: random.Random) -> tuple[bytes, bytes]:
    name = "-".join(rng.choices(WORDS, k=rng.randint(1, 3)))
    return name.encode(), " ".join(rng.choices(WORDS, k=rng.randint(0, 30))).encode()


@pytest.mark.parametrize("seed", range(20))
def test_an_updated_index_equals_one_built_afresh(seed: int) -> None:
    rng = random.Random(seed)
    before = [_document(rng) for _ in range(rng.randint(0, 200))]
    after = list(before)
    for _ in range(rng.randint(0, 5)):
        if after and rng.random() < 0.6:
            after[rng.randrange(len(after))] = _document(rng)
        else:
            after.append(_document(rng))
    updated = update_index(build_index(before), before, after)
    assert updated is not None
    assert updated.documents == len(after)
    assert _postings(updated) == _postings(build_index(after))


def test_the_index_it_was_made_from_is_left_as_it_was() -> None:
    before = [(b"bert-base", b"squad card")] * 100
    index = build_index(before)
    held = _postings(index)
    update_index(index, before, [*before[:50], (b"gpt", b"other"), *before[51:], (b"new", b"card")])
    assert _postings(index) == held


def test_a_removal_or_many_changes_are_built_afresh() -> None:
    before = [(f"model-{n}".encode(), b"card") for n in range(MAX_UPDATED + 10)]
    assert update_index(build_index(before), before, before[1:]) is None
    changed = [(name, b"other card") for name, _ in before]
    assert update_index(build_index(before), before, changed) is None
