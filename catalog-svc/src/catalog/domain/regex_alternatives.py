"""A pattern's outermost alternatives, each a pattern of its own: a text holds a match of ``A|B`` exactly when it
holds a match of ``A`` or one of ``B``, so the artifacts matching each alternative can be found (and remembered)
apart. A search for ``(?i)checkpoint-7-12|fine-?tuned on squad`` then reuses what ``(?i)fine-?tuned on squad``
found for an earlier pattern, and only its new alternative is scanned.

Flags set at the very start (``(?i)``) apply to every alternative (in RE2 a flag group holds to the end of the
enclosing group, across ``|``), so they are repeated on each; a flag group anywhere else at the outermost level, or
syntax Python's parser would read otherwise (``reads_like_re2``), leaves the pattern whole.
"""

import re

from catalog.domain.regex_literals import reads_like_re2

MAX_ALTERNATIVES = 8
_FLAG_GROUP = re.compile(r"\(\?[imsU]*(?:-[imsU]*)?\)")


def top_level_alternatives(pattern: str) -> list[str] | None:
    """The outermost alternatives of RE2 ``pattern`` with its leading flags on each; None when it has one, more
    than ``MAX_ALTERNATIVES``, or a shape this split cannot be sure of."""
    if not reads_like_re2(pattern):
        return None
    leading = _FLAG_GROUP.match(pattern)
    prefix = leading.group() if leading else ""
    body = pattern[len(prefix) :]
    parts: list[str] = []
    depth, start, i, in_class, class_start = 0, 0, 0, False, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = not (char == "]" and i > class_start)
        elif char == "[":
            in_class = True
            class_start = i + (2 if body.startswith("[^", i) else 1)
            i = class_start
            continue
        elif char == "(":
            if depth == 0 and _FLAG_GROUP.match(body, i):
                return None
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
        i += 1
    parts.append(body[start:])
    if not 2 <= len(parts) <= MAX_ALTERNATIVES:
        return None
    return [prefix + part for part in parts]
