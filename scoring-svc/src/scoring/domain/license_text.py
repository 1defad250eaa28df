"""Where the licence identifier comes from when the card's metadata states none: its text, or its parent.

Text: a "License" heading or a "licensed under ..." sentence naming a licence by SPDX id or common name
(``PATTERNS``, first match in the card wins). Parent: a conversion or fine-tune that states no licence is taken to
carry the terms of the model it derives from (the first rated parent with a licence), scored at
``INHERITED_FACTOR`` x that licence's score, because nobody confirmed it for this upload.
"""

import re
from collections.abc import Mapping
from typing import Final

INHERITED_FACTOR: Final = 0.8
PATTERNS: Final = (
    (re.compile(r"\bapache[\s-]*(license[\s,]*)?(version\s*)?2(\.0)?\b", re.I), "apache-2.0"),
    (re.compile(r"\bMIT\b(\s+license)?", re.I), "mit"),
    (re.compile(r"\bBSD[\s-]*3[\s-]*clause\b", re.I), "bsd-3-clause"),
    (re.compile(r"\bBSD[\s-]*2[\s-]*clause\b", re.I), "bsd-2-clause"),
    (re.compile(r"\b(AGPL|GNU Affero)[\s-]*(v?3|general public license v3)", re.I), "agpl-3.0"),
    (re.compile(r"\b(LGPL|GNU Lesser)[\s-]*(v?3|general public license v3)", re.I), "lgpl-3.0"),
    (re.compile(r"\b(GPL|GNU General Public License)[\s-]*v?3", re.I), "gpl-3.0"),
    (re.compile(r"\bCC[\s-]*BY[\s-]*NC[\s-]*(SA[\s-]*)?4\.0", re.I), "cc-by-nc-4.0"),
    (re.compile(r"\bCC[\s-]*BY[\s-]*SA[\s-]*4\.0", re.I), "cc-by-sa-4.0"),
    (re.compile(r"\bCC[\s-]*BY[\s-]*4\.0", re.I), "cc-by-4.0"),
    (re.compile(r"\bCC0\b", re.I), "cc0-1.0"),
    (re.compile(r"\bopenrail", re.I), "openrail"),
)
_LICENSE_CONTEXT: Final = re.compile(
    r"(^#+\s*licen[cs]e[^\n]*\n+[^\n#]{0,400})|(licen[cs]ed under[^\n]{0,200})", re.I | re.M
)


def metadata_licence(card_data: Mapping[str, object]) -> str | None:
    """The card metadata's ``license`` (the first one when it is a list), or None."""
    value = card_data.get("license")
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), None)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def text_licence(text: str) -> str | None:
    """A licence named in the card's licence section or a "licensed under" sentence, or None."""
    for context in _LICENSE_CONTEXT.finditer(text):
        for pattern, identifier in PATTERNS:
            if pattern.search(context.group(0)):
                return identifier
    return None
