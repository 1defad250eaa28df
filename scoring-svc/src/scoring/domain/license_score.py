"""Licence: how freely an organisation may adopt the model, from its licence identifier.

Inputs (``LicenseInput``): the identifier (the card's ``license:`` value, a Hugging Face id or SPDX id, any case)
and whether it was stated in the card metadata (``in_metadata``) or only found in the card's text.

Table (families as in docs/licenses.md; score of the family):

| family | examples | score |
|---|---|---|
| permissive | apache-2.0, mit, bsd-*, isc, unlicense, cc0-1.0, cc-by-4.0, bsl-1.0, zlib | 1.0 |
| weak copyleft | lgpl-*, mpl-2.0, epl-*, cc-by-sa-*, odbl | 0.8 |
| strong copyleft | gpl-2.0, gpl-3.0 (-only, -or-later) | 0.6 |
| custom model licence | openrail*, *-openrail-m, llama2..llama4, gemma | 0.5 |
| network copyleft | agpl-3.0, sspl-1.0, eupl-*, osl-3.0 | 0.4 |
| non-commercial / no-derivatives / research-only | cc-by-nc-*, cc-by-nd-*, *-research-*, deepfloyd-if-license | 0.2 |
| none / unknown | empty, other, unknown, noassertion, cc, anything unlisted | 0.0 |

A licence found only in the text (not the metadata) scores 0.9 x its family score: it is still a grant, but tools
and the registry cannot read it reliably and a text match may quote another work's licence.

Why: the rating answers "can we use this?"; permissive licences need no review, copyleft ones need a policy check,
custom and non-commercial terms need legal review or forbid commercial use, and no licence grants no rights.
"""

import re
from dataclasses import dataclass
from typing import Final

from scoring.domain._score import bounded

TEXT_ONLY_FACTOR: Final = 0.9


def _ids(names: str) -> frozenset[str]:
    return frozenset(names.split())


_PERMISSIVE: Final = _ids(
    "apache-2.0 mit mit-0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear bsd-4-clause 0bsd isc unlicense cc0-1.0 "
    "cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 afl-3.0 zlib bsl-1.0 artistic-2.0 wtfpl ecl-2.0 postgresql ncsa ms-pl "
    "upl-1.0 python-2.0 pddl odc-by cdla-permissive-1.0 cdla-permissive-2.0 etalab-2.0"
)
_WEAK: Final = _ids(
    "lgpl lgpl-2.1 lgpl-3.0 lgpl-lr mpl-2.0 epl-1.0 epl-2.0 cddl-1.0 ms-rl ofl-1.1 lppl-1.3c cc-by-sa-3.0 "
    "cc-by-sa-4.0 cdla-sharing-1.0 odbl"
)
_STRONG: Final = _ids("gpl gpl-2.0 gpl-3.0 gfdl")
_CUSTOM: Final = _ids(
    "openrail openrail++ bigscience-openrail-m creativeml-openrail-m bigcode-openrail-m bigscience-bloom-rail-1.0 "
    "llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 gemma"
)
_NETWORK: Final = _ids("agpl-3.0 osl-3.0 eupl-1.1 eupl-1.2 sspl-1.0 rpl-1.5 cpal-1.0")
_RESTRICTIVE: Final = _ids("deepfloyd-if-license apple-amlr")
_RESTRICTIVE_PART: Final = re.compile(r"(^|-)(nc|noncommercial|nd|research)(-|$)")

FAMILY_SCORES: Final = (
    (_PERMISSIVE, 1.0),
    (_WEAK, 0.8),
    (_STRONG, 0.6),
    (_CUSTOM, 0.5),
    (_NETWORK, 0.4),
    (_RESTRICTIVE, 0.2),
)


@dataclass(frozen=True, slots=True)
class LicenseInput:
    """A licence identifier (``None`` when none was found) and where it was found."""

    identifier: str | None
    in_metadata: bool = True


def _normalise(identifier: str) -> str:
    key = identifier.strip().lower()
    return re.sub(r"-(only|or-later)$|\+$", "", key)


def family_score(identifier: str | None) -> float:
    """The table's score of one identifier: 0 for none or an unlisted one."""
    if not identifier or not identifier.strip():
        return 0.0
    raw = identifier.strip().lower()
    key = _normalise(identifier)
    for members, score in FAMILY_SCORES:
        if raw in members or key in members:
            return score
    return 0.2 if _RESTRICTIVE_PART.search(key) else 0.0


def license_score(licence: LicenseInput) -> float:
    """Score in [0, 1] of the licence's openness; text-only licences are discounted by ``TEXT_ONLY_FACTOR``."""
    score = family_score(licence.identifier)
    return bounded(score if licence.in_metadata else score * TEXT_ONLY_FACTOR)
