"""Regular-expression search in linear time (RE2), with exact handling of huge counted repetitions.

RE2 never backtracks, so patterns such as ``(a+)+$`` cost time linear in the text. RE2 refuses counted
repetitions above 1000 (``a{1,99999}``). For a text shorter than the upper bound ``m``, ``x{n,m}`` matches
exactly what ``x{n,}`` matches (a match never needs more than ``len(text)`` non-empty repetitions, and empty
ones change nothing), so such bounds are lifted when ``m`` is at least the longest searchable text; any
other pattern RE2 rejects is reported as invalid.

Linear time is not cheap time: once RE2's DFA gives up (counted repetitions of ``.`` make it track every
position), a scan costs about 2 ns per compiled instruction per byte of text. ``[^a].{999}~`` (8,005
instructions) scans about 50 KB per second; 200 such alternatives (2.4 KB, 1.6 million instructions) a few KB.
Patterns whose program exceeds ``max_program`` instructions are refused as too costly before any scan; the
search index's deadline stops the rest.
"""

import re
from dataclasses import dataclass

import re2

MAX_PATTERN_LENGTH = 4096
QUICK_PATTERN_LENGTH = 128
MAX_PROGRAM_SIZE = 10_000
# The size check compiles with little memory, so a program far above the cap fails within milliseconds
# ("pattern too large") instead of being built: compiling holds the GIL. Scans get more, for the DFA's cache.
CHECK_MAX_MEM = 1 << 20
RE2_MAX_MEM = 64 << 20
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")


class InvalidPattern(ValueError):
    """The pattern is not a regular expression the registry can run."""


class PatternTooCostly(InvalidPattern):
    """The pattern is valid but compiles to a program too large to scan the catalog with."""


@dataclass(frozen=True)
class SearchPattern:
    """A compiled pattern, usable on any text up to ``max_text_length`` characters."""

    compiled: "re2._Regexp"
    max_text_length: int

    def matches(self, text: bytes) -> bool:
        """True when the pattern occurs anywhere in ``text`` (UTF-8)."""
        return self.compiled.search(text) is not None


def compile_pattern(pattern: str, longest_text: int, max_program: int = MAX_PROGRAM_SIZE) -> SearchPattern:
    """Compile ``pattern`` for texts no longer than ``longest_text``; raise ``InvalidPattern`` otherwise, and
    ``PatternTooCostly`` when its program would exceed ``max_program`` instructions."""
    return compile_checked(check_pattern(pattern, longest_text, max_program), longest_text)


def check_pattern(pattern: str, longest_text: int, max_program: int = MAX_PROGRAM_SIZE) -> str:
    """The pattern RE2 will run for texts up to ``longest_text`` (huge bounds lifted), after checking that it is
    valid and within ``max_program`` instructions; a few milliseconds at most, whatever the pattern."""
    if not pattern:
        raise InvalidPattern("regex must not be empty")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InvalidPattern(f"regex must be at most {MAX_PATTERN_LENGTH} characters")
    try:
        _check_size(pattern, max_program)
        return pattern
    except re2.error as first_error:
        rewritten = _lift_large_bounds(pattern, longest_text)
        if rewritten == pattern:
            raise _refusal(first_error, max_program) from first_error
        try:
            _check_size(rewritten, max_program)
            return rewritten
        except re2.error as error:
            raise _refusal(error, max_program) from error


def quick_to_check(pattern: str) -> bool:
    """True when ``check_pattern`` on ``pattern`` is bound to take under a millisecond, so it may run on the event
    loop instead of in the checker process (a round trip of about 0.4 ms of the catalog's time per pattern).

    A program grows past the cap only through counted repetitions (``{n,m}``, also the only way to write
    ``\\x{...}`` and ``\\p{...}``), Unicode classes (``\\pL``: hundreds of instructions each) and classes of
    non-ASCII characters (case folding multiplies their ranges). Without them each pattern character adds a bounded
    number of instructions: for 128 ASCII characters the costliest shapes measured (``(?i)\\W`` repeated, ``.``
    repeated) check in about 0.3 ms, against up to 20 ms for 60 ``\\pL``.
    """
    return (
        len(pattern) <= QUICK_PATTERN_LENGTH
        and pattern.isascii()
        and "{" not in pattern
        and "\\p" not in pattern
        and "\\P" not in pattern
    )


def compile_checked(checked: str, longest_text: int) -> SearchPattern:
    """Compile a pattern ``check_pattern`` returned, with the memory a fast scan needs."""
    return SearchPattern(_compile(checked, RE2_MAX_MEM), longest_text)


def _compile(pattern: str, max_mem: int) -> "re2._Regexp":
    options = re2.Options()
    options.max_mem = max_mem
    options.log_errors = False
    options.never_capture = True
    options.encoding = re2.Options.Encoding.UTF8
    return re2.compile(pattern.encode(), options)


def _check_size(pattern: str, max_program: int) -> None:
    size = _compile(pattern, max(CHECK_MAX_MEM, 64 * max_program)).programsize
    if size > max_program:
        raise PatternTooCostly(_too_costly(f"{size:,} instructions", max_program))


def _refusal(error: Exception, max_program: int) -> InvalidPattern:
    reason = _reason(error)
    if "pattern too large" in reason:
        return PatternTooCostly(_too_costly("a program too large to build", max_program))
    return InvalidPattern(f"invalid regex: {reason}")


def _too_costly(size: str, max_program: int) -> str:
    return (
        f"regex too costly to search: it compiles to {size}, above the limit of {max_program:,} instructions; "
        "use fewer or shorter counted repetitions (such as .{999}) and alternatives"
    )


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
