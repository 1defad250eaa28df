"""What every match of a regular expression must contain: a boolean query over literal strings, for a prefilter.

Russ Cox, "Regular Expression Matching with a Trigram Index" (the Google Code Search idea): from the pattern derive
strings that any match contains (AND along a concatenation, OR across an alternation); a text lacking them cannot
match, so only the texts that have them need the regex engine. The query must never exclude a text RE2 would match,
so anything uncertain reads as ``EVERYTHING`` (no filtering).

The pattern is parsed with Python's own parser (``re._parser``) only when that parser is certain to read it as RE2
does (``reads_like_re2``): RE2-only syntax (``[[:alpha:]]``, ``\\pL``, ``\\Q..\\E``, ``\\C``, ``\\z``, ``\\x{..}``,
``a{,3}``, which RE2 reads as text) is never misread, it falls back to ``EVERYTHING``.

Literals are normalized as the indexed texts are (``normalize_text``): ASCII letters lower-cased, and the two
non-ASCII letters RE2's simple case folding maps onto ASCII ones, U+212A KELVIN SIGN to ``k`` and U+017F LATIN SMALL
LETTER LONG S to ``s``. Then ``(?i)`` and case-sensitive patterns are served by one index; under ``(?i)`` any other
non-ASCII character (whose case variants normalization does not join) is uncertain.
"""

import importlib
import re
from dataclasses import dataclass
from typing import Any

# The parser of the standard library: private, so read untyped (typeshed's stubs for it come and go between releases).
sre: Any = importlib.import_module("re._constants")
_parser: Any = importlib.import_module("re._parser")

MAX_EXACT = 16  # distinct strings kept before a set of alternatives turns into a query
MAX_CLASS = 8  # characters a class may hold to be read as alternatives
MAX_COPIES = 4  # repetitions expanded into alternatives (x{2,3} is xx|xxx)
KELVIN, LONG_S = "\u212a", "\u017f"
_FOLDED = {KELVIN: "k", LONG_S: "s"}
_ESCAPES_ALIKE = frozenset("dDwWsSbBAntrfva")  # letters after a backslash both engines read the same way
_CLASS_ESCAPES_ALIKE = frozenset("dDwWsSntrfva")
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")
_HEX2 = re.compile(r"x[0-9A-Fa-f]{2}")


@dataclass(frozen=True)
class Contains:
    """Texts holding ``text`` (normalized) somewhere."""

    text: str


@dataclass(frozen=True)
class AllOf:
    """Texts satisfying every part; with no parts, every text."""

    parts: tuple["Query", ...]


@dataclass(frozen=True)
class AnyOf:
    """Texts satisfying at least one part (never built empty)."""

    parts: tuple["Query", ...]


Query = Contains | AllOf | AnyOf
EVERYTHING = AllOf(())


def normalize_char(char: str) -> str:
    """The character as indexed: ASCII upper case to lower, KELVIN SIGN to ``k``, LONG S to ``s``."""
    if "A" <= char <= "Z":
        return char.lower()
    return _FOLDED.get(char, char)


def contains(text: str) -> Query:
    """Texts holding ``text``; every text when it is empty."""
    return Contains(text) if text else EVERYTHING


def all_of(parts: list[Query]) -> Query:
    """The conjunction, flattened and without duplicates."""
    flat: list[Query] = []
    for part in parts:
        for item in part.parts if isinstance(part, AllOf) else (part,):
            if item not in flat:
                flat.append(item)
    return flat[0] if len(flat) == 1 else AllOf(tuple(flat))


def any_of(parts: list[Query]) -> Query:
    """The disjunction, flattened and without duplicates; every text when a part is, or when there is none."""
    flat: list[Query] = []
    for part in parts:
        if part == EVERYTHING:
            return EVERYTHING
        for item in part.parts if isinstance(part, AnyOf) else (part,):
            if item not in flat:
                flat.append(item)
    if not flat:
        return EVERYTHING
    return flat[0] if len(flat) == 1 else AnyOf(tuple(flat))


def required_literals(pattern: str) -> Query:
    """A query every text with a match of ``pattern`` (an RE2 pattern) satisfies; ``EVERYTHING`` when unsure."""
    if not reads_like_re2(pattern):
        return EVERYTHING
    try:
        parsed = _parser.parse(pattern)
        return _Reader().sequence(list(parsed), bool(parsed.state.flags & sre.SRE_FLAG_IGNORECASE)).query()
    except (re.error, RecursionError, Warning, ValueError, OverflowError):
        return EVERYTHING


def reads_like_re2(pattern: str) -> bool:
    """True when Python's parser reads ``pattern`` as RE2 does, or refuses it; False for RE2-only syntax that
    Python would accept with another meaning, and for what Python warns about (possible set operations)."""
    i, in_class, class_start = 0, False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            if escaped.isascii() and escaped.isalnum():
                if escaped == "x" and _HEX2.match(pattern, i + 1):
                    i += 4
                    continue
                if escaped not in (_CLASS_ESCAPES_ALIKE if in_class else _ESCAPES_ALIKE):
                    return False
            elif not escaped.isascii():
                return False
            i += 2
            continue
        if in_class:
            if char == "[" or (char in "-&~|" and pattern[i + 1 : i + 2] == char):
                return False
            if char == "]" and i > class_start:
                in_class = False
        elif char == "[":
            in_class = True
            class_start = i + (2 if pattern.startswith("[^", i) else 1)
            i = class_start
            continue
        elif char == "{" and not _QUANTIFIER.match(pattern, i):
            return False
        i += 1
    return True


@dataclass(frozen=True)
class _Info:
    """What a piece of a pattern matches: exactly one of ``exact`` (normalized), or, when that is unknown (None),
    strings satisfying ``required``."""

    exact: frozenset[str] | None
    required: Query = EVERYTHING

    def query(self) -> Query:
        if self.exact is None:
            return self.required
        return any_of([contains(text) for text in sorted(self.exact)])


_EMPTY = _Info(frozenset({""}))
_UNKNOWN = _Info(None)


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > MAX_EXACT:
        return None
    return frozenset(a + b for a in left for b in right)


class _Reader:
    """Walks ``re._parser``'s tree; each method returns the ``_Info`` of a piece."""

    def sequence(self, items: list[tuple[object, object]], fold: bool) -> _Info:
        required: list[Query] = []
        current, whole = frozenset({""}), True
        for item in items:
            info = self.item(item, fold)
            product = None if info.exact is None else _product(current, info.exact)
            if product is not None:
                current = product
                continue
            whole = False
            required.append(_Info(current).query())
            if info.exact is None:
                required.append(info.required)
                current = frozenset({""})
            else:
                current = info.exact
        if whole:
            return _Info(current)
        return _Info(None, all_of([*required, _Info(current).query()]))

    def item(self, item: tuple[object, object], fold: bool) -> _Info:
        op, value = item
        if op is sre.LITERAL and isinstance(value, int):
            return self.chars([value], fold)
        if op is sre.IN and isinstance(value, list):
            return self.char_class(value, fold)
        if op is sre.AT:
            return _EMPTY
        if op is sre.BRANCH and isinstance(value, tuple):
            return self.branch([self.sequence(list(b), fold) for b in value[1]])
        if op is sre.SUBPATTERN and isinstance(value, tuple):
            _, add, remove, body = value
            inner = (fold or bool(add & sre.SRE_FLAG_IGNORECASE)) and not remove & sre.SRE_FLAG_IGNORECASE
            return self.sequence(list(body), inner)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and isinstance(value, tuple):
            low, high, body = value
            return self.repeat(low, high, self.sequence(list(body), fold))
        return _UNKNOWN

    def chars(self, codes: list[int], fold: bool) -> _Info:
        out: set[str] = set()
        for code in codes:
            char = chr(code)
            if fold and not char.isascii() and char not in _FOLDED:
                return _UNKNOWN
            out.add(normalize_char(char))
        return _Info(frozenset(out))

    def char_class(self, items: list[tuple[object, object]], fold: bool) -> _Info:
        codes: list[int] = []
        for op, value in items:
            if op is sre.LITERAL and isinstance(value, int):
                codes.append(value)
            elif op is sre.RANGE and isinstance(value, tuple) and value[1] - value[0] < MAX_CLASS:
                codes.extend(range(value[0], value[1] + 1))
            else:
                return _UNKNOWN
        return self.chars(codes, fold) if len(codes) <= MAX_CLASS else _UNKNOWN

    def branch(self, branches: list[_Info]) -> _Info:
        union: set[str] = set()
        for branch in branches:
            if branch.exact is None:
                return _Info(None, any_of([b.query() for b in branches]))
            union |= branch.exact
        if len(union) <= MAX_EXACT:
            return _Info(frozenset(union))
        return _Info(None, any_of([b.query() for b in branches]))

    def repeat(self, low: int, high: int, body: _Info) -> _Info:
        if high == 0:
            return _EMPTY
        if body.exact is None:
            return body if low > 0 else _UNKNOWN
        powers = [frozenset({""})]
        while len(powers) <= min(max(low, high), MAX_COPIES):
            power = _product(powers[-1], body.exact)
            if power is None:
                break
            powers.append(power)
        if high < len(powers):
            union = frozenset().union(*powers[low : high + 1])
            if len(union) <= MAX_EXACT:
                return _Info(union)
        if low == 0:
            return _UNKNOWN
        return _Info(None, _Info(powers[min(low, len(powers) - 1)]).query())
