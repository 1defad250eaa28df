"""Regular-expression search in linear time (RE2), with exact handling of huge counted repetitions.

RE2 never backtracks, so patterns such as ``(a+)+$`` cost time linear in the text. RE2 refuses counted
repetitions above 1000 (``a{1,99999}``). For a text shorter than the upper bound ``m``, ``x{n,m}`` matches
exactly what ``x{n,}`` matches (a match never needs more than ``len(text)`` non-empty repetitions, and empty
ones change nothing), so such bounds are lifted when ``m`` is at least the longest searchable text; any
other pattern RE2 rejects is reported as invalid.
"""

import re
from dataclasses import dataclass

import re2

MAX_PATTERN_LENGTH = 4096
RE2_MAX_MEM = 64 << 20
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")


class InvalidPattern(ValueError):
    """The pattern is not a regular expression the registry can run."""


@dataclass(frozen=True)
class SearchPattern:
    """A compiled pattern, usable on any text up to ``max_text_length`` characters."""

    compiled: "re2._Regexp"
    max_text_length: int

    def matches(self, text: bytes) -> bool:
        """True when the pattern occurs anywhere in ``text`` (UTF-8)."""
        return self.compiled.search(text) is not None


def compile_pattern(pattern: str, longest_text: int) -> SearchPattern:
    """Compile ``pattern`` for texts no longer than ``longest_text``; raise ``InvalidPattern`` otherwise."""
    if not pattern:
        raise InvalidPattern("regex must not be empty")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InvalidPattern(f"regex must be at most {MAX_PATTERN_LENGTH} characters")
    try:
        return SearchPattern(_compile(pattern), longest_text)
    except re2.error as first_error:
        rewritten = _lift_large_bounds(pattern, longest_text)
        if rewritten == pattern:
            raise InvalidPattern(f"invalid regex: {_reason(first_error)}") from first_error
        try:
            return SearchPattern(_compile(rewritten), longest_text)
        except re2.error as error:
            raise InvalidPattern(f"invalid regex: {_reason(error)}") from error


def _compile(pattern: str) -> "re2._Regexp":
    options = re2.Options()
    options.max_mem = RE2_MAX_MEM
    options.log_errors = False
    options.never_capture = True
    options.encoding = re2.Options.Encoding.UTF8
    return re2.compile(pattern.encode(), options)


def _reason(error: Exception) -> str:
    text = error.args[0] if error.args else str(error)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _lift_large_bounds(pattern: str, longest_text: int) -> str:
    """Replace ``{n,m}`` by ``{n,}`` where ``m > 1000`` and ``m >= longest_text`` (outside classes/escapes)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern.startswith("[]", i) or pattern.startswith("[^]", i):
                step = 2 if pattern[i + 1] == "]" else 3
                out.append(pattern[i : i + step])
                i += step
                continue
        elif ch == "{":
            match = _QUANTIFIER.match(pattern, i)
            if match and match.group(3):
                low, high = int(match.group(1)), int(match.group(3))
                if high > 1000 and high >= longest_text and low <= 1000:
                    out.append(f"{{{low},}}")
                    i = match.end()
                    continue
        out.append(ch)
        i += 1
    return "".join(out)
