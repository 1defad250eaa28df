"""A trigram index over documents (each some UTF-8 texts), answering ``regex_literals`` queries with the documents
that may match: never fewer than the regex engine would find, usually far fewer than all.

Texts are indexed normalized (``normalize_text``, the same map as the query's literals), split at ASCII whitespace
into tokens; the index holds the byte trigrams inside tokens, and a query uses only the trigrams of its literals that
hold no whitespace. A literal contained in a text has all those trigrams in the text's tokens, so a document lacking
one cannot match. Splitting first lets each distinct token be cut into trigrams once for the whole corpus.

Posting lists are kept compact: a trigram in at least 1/32 of the documents has a bitset over documents (a Python
int, one bit per document), a rarer one a sorted ``array('I')`` of document numbers; there are no per-document sets.
"""

import bisect
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from catalog.domain.regex_literals import KELVIN, LONG_S, AllOf, AnyOf, Contains, Query

_KELVIN, _LONG_S = KELVIN.encode(), LONG_S.encode()
DENSE_SHARE = 32  # a trigram in at least 1/DENSE_SHARE of the documents gets a bitset
MAX_UPDATED = 64  # documents changed or added that an update handles; more, and the index is built afresh
_BIT_POSITIONS = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]


class IndexOutdated(Exception):
    """The corpus being indexed was replaced before the index was done."""


def normalize_text(text: bytes) -> bytes:
    """UTF-8 ``text`` as indexed: ASCII lower case, KELVIN SIGN as ``k``, LONG S as ``s`` (a per-character map, so
    a normalized literal occurs in a normalized text wherever the literal occurs in the text)."""
    return text.lower().replace(_KELVIN, b"k").replace(_LONG_S, b"s")


def trigrams(text: bytes) -> set[int]:
    """The trigrams of normalized UTF-8 ``text`` that hold no ASCII whitespace, each as a 24-bit number."""
    out: set[int] = set()
    for token in text.split():
        out.update(int.from_bytes(token[i : i + 3], "big") for i in range(len(token) - 2))
    return out


@dataclass(frozen=True)
class TrigramIndex:
    """Which documents hold which trigram; build it with ``build_index``."""

    documents: int
    dense: dict[int, int]
    sparse: "dict[int, array[int]]"

    def candidates(self, query: Query) -> list[int] | None:
        """Numbers of the documents that may satisfy ``query``, ascending; None when that is every document."""
        bits = self._evaluate(query)
        return None if bits is None else _members(bits, self.documents)

    @property
    def nbytes(self) -> int:
        """Bytes held by the posting lists (ints and arrays, not the dicts)."""
        dense = sum((bits.bit_length() + 7) // 8 for bits in self.dense.values())
        return dense + sum(len(ids) * ids.itemsize for ids in self.sparse.values())

    def _evaluate(self, query: Query) -> int | None:
        if isinstance(query, Contains):
            return self._literal(query.text)
        results = [self._evaluate(part) for part in query.parts]
        if isinstance(query, AnyOf):
            if any(bits is None for bits in results):
                return None
            union = 0
            for bits in results:
                union |= bits or 0
            return union
        known = [bits for bits in results if bits is not None]
        if isinstance(query, AllOf) and not known:
            return None
        both = known[0]
        for bits in known[1:]:
            both &= bits
        return both

    def _literal(self, text: str) -> int | None:
        found: int | None = None
        for gram in trigrams(text.encode()):
            bits = self._bits(gram)
            found = bits if found is None else found & bits
            if not found:
                return 0
        return found

    def _bits(self, gram: int) -> int:
        dense = self.dense.get(gram)
        if dense is not None:
            return dense
        return _bitset(self.sparse.get(gram, ()), self.documents)


def build_index(documents: Sequence[Iterable[bytes]], outdated: Callable[[], bool] = lambda: False) -> TrigramIndex:
    """The index of ``documents`` (each its texts, UTF-8, not yet normalized); raises ``IndexOutdated`` as soon
    as ``outdated()`` turns true (checked every 256 documents)."""
    holders: dict[bytes, list[int]] = {}
    for number, texts in enumerate(documents):
        if number % 256 == 0 and outdated():
            raise IndexOutdated
        tokens: set[bytes] = set()
        for text in texts:
            tokens.update(normalize_text(text).split())
        for token in tokens:
            if len(token) > 2:
                holders.setdefault(token, []).append(number)
    return _invert(holders, len(documents))


def update_index(
    index: TrigramIndex, before: Sequence[Sequence[bytes]], after: Sequence[Sequence[bytes]]
) -> TrigramIndex | None:
    """The index of ``after`` made from ``index``, the index of ``before``, when ``after`` differs from it in at
    most ``MAX_UPDATED`` documents changed in place or added at the end (a write or two); None otherwise. A few
    milliseconds against about a second for ``build_index`` at 10,000 documents; ``index`` is left as it was."""
    changed = [number for number in range(min(len(before), len(after))) if before[number] != after[number]]
    if len(after) < len(before) or len(changed) + len(after) - len(before) > MAX_UPDATED:
        return None
    dense, sparse = dict(index.dense), dict(index.sparse)
    for number in changed:
        for gram in _document_trigrams(before[number]):
            if gram in dense:
                dense[gram] &= ~(1 << number)
            else:
                sparse[gram] = array("I", (held for held in sparse.get(gram, ()) if held != number))
    for number in [*changed, *range(len(before), len(after))]:
        for gram in _document_trigrams(after[number]):
            if gram in dense:
                dense[gram] |= 1 << number
            else:
                grown = array("I", sparse.get(gram, ()))
                bisect.insort(grown, number)
                sparse[gram] = grown
    return TrigramIndex(len(after), dense, {gram: held for gram, held in sparse.items() if held})


def _document_trigrams(texts: Iterable[bytes]) -> set[int]:
    return set().union(*(trigrams(normalize_text(text)) for text in texts))


def _invert(holders: dict[bytes, list[int]], documents: int) -> TrigramIndex:
    """From the documents holding each token to the documents holding each trigram."""
    dense_from = max(1, documents // DENSE_SHARE)
    dense: dict[int, int] = {}
    sparse: dict[int, list[int]] = {}
    for token, numbers in holders.items():
        grams = {int.from_bytes(token[i : i + 3], "big") for i in range(len(token) - 2)}
        if len(numbers) >= dense_from:
            bits = _bitset(numbers, documents)
            for gram in grams:
                dense[gram] = dense.get(gram, 0) | bits
        else:
            for gram in grams:
                sparse.setdefault(gram, []).extend(numbers)
    compact: dict[int, array[int]] = {}
    for gram, numbers in sparse.items():
        if gram in dense or len(numbers) >= dense_from:
            dense[gram] = dense.get(gram, 0) | _bitset(numbers, documents)
        else:
            compact[gram] = array("I", sorted(set(numbers)))
    return TrigramIndex(documents, dense, compact)


def _bitset(numbers: Iterable[int], documents: int) -> int:
    raw = bytearray((documents + 7) // 8)
    for number in numbers:
        raw[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(raw, "little")


def _members(bits: int, documents: int) -> list[int]:
    out: list[int] = []
    for offset, byte in enumerate(bits.to_bytes((documents + 7) // 8, "little")):
        if byte:
            base = offset * 8
            out.extend(base + bit for bit in _BIT_POSITIONS[byte])
    return out
