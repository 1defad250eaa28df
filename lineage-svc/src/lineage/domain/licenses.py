"""May a repository's code be used to fine-tune a model and serve inference with it? Pure rules, no I/O.

docs/licenses.md states the policy, the families and the reasoning of every cell; ``MATRIX``, ``CODE_REASONS`` and
``MODEL_REASONS`` mirror its tables (tests/lineage/test_licenses.py keeps them equal).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Final

from license_expression import (  # type: ignore[import-untyped]
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    ParseError,
    get_spdx_licensing,
)


class LicenseFamily(StrEnum):
    """Licence families, most favourable first: ``OR`` picks the earliest choice, ``AND`` the latest."""

    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak copyleft"
    STRONG_COPYLEFT = "strong copyleft"
    CUSTOM_MODEL = "custom model licence"
    NETWORK_COPYLEFT = "network copyleft"
    NON_COMMERCIAL = "non-commercial"
    NO_DERIVATIVES = "no-derivatives or research-only"
    UNKNOWN = "unknown"


_F = LicenseFamily
_Y, _N = True, False
# One row per code licence family; columns are the model licence families in LicenseFamily order:
#              permissive weak strong custom network non-commercial no-derivatives unknown
_ROWS: Final[Mapping[LicenseFamily, tuple[bool, ...]]] = {
    _F.PERMISSIVE: (_Y, _Y, _Y, _Y, _N, _N, _N, _N),
    _F.WEAK_COPYLEFT: (_Y, _Y, _Y, _Y, _N, _N, _N, _N),
    _F.STRONG_COPYLEFT: (_Y, _Y, _Y, _Y, _N, _N, _N, _N),
    _F.CUSTOM_MODEL: (_Y, _Y, _Y, _Y, _N, _N, _N, _N),
    _F.NETWORK_COPYLEFT: (_N, _N, _N, _N, _N, _N, _N, _N),
    _F.NON_COMMERCIAL: (_N, _N, _N, _N, _N, _N, _N, _N),
    _F.NO_DERIVATIVES: (_N, _N, _N, _N, _N, _N, _N, _N),
    _F.UNKNOWN: (_N, _N, _N, _N, _N, _N, _N, _N),
}
MATRIX: Final[Mapping[tuple[LicenseFamily, LicenseFamily], bool]] = {
    (code, model): answer for code, row in _ROWS.items() for model, answer in zip(LicenseFamily, row, strict=True)
}
"""(code licence family, model licence family) → may the code fine-tune the model and serve inference?"""

CODE_REASONS: Final[Mapping[LicenseFamily, str]] = {
    _F.PERMISSIVE: "MIT, BSD and Apache-2.0 (§2) grant use and modification, with conditions only on redistribution, "
    "and nothing is redistributed",
    _F.WEAK_COPYLEFT: "LGPL, MPL-2.0 (§3) and EPL-2.0 (§3) impose their copyleft only on distributing the code, "
    "and nothing is distributed",
    _F.STRONG_COPYLEFT: "the GPL lets anyone run and modify code they do not convey (GPL-3.0 §2), and serving over a "
    "network without transferring a copy is not conveying (§0)",
    _F.CUSTOM_MODEL: "it permits use and modification, commercial use included, provided its use restrictions are "
    "passed on to the service's users, as the policy assumes",
    _F.NETWORK_COPYLEFT: "modified code that users reach over a network must offer them its source (AGPL-3.0 §13), "
    "and the policy publishes no source",
    _F.NON_COMMERCIAL: "it permits non-commercial use only (CC BY-NC 4.0 §1(i)), and the service may be commercial",
    _F.NO_DERIVATIVES: "it forbids sharing adaptations (CC BY-ND 4.0 §2(a)(1)(B)) or limits use to research, and the "
    "code may be adapted and used in a public, possibly commercial service",
    _F.UNKNOWN: "no licence the registry recognises grants a right to use the code, and without one every right is "
    "reserved",
}
"""Why each family of code licence allows the use or not (the rows of the matrix)."""

MODEL_REASONS: Final[Mapping[LicenseFamily, str]] = {
    _F.PERMISSIVE: "the fine-tuned weights are a derivative the licence allows (Apache-2.0 §2, CC BY 4.0 §2(a)(1)), "
    "with conditions only on redistributing them",
    _F.WEAK_COPYLEFT: "its share-alike reaches the fine-tuned weights only when they are distributed or shared "
    "(CC BY-SA 4.0 §3(b), MPL-2.0 §3), and serving inference outputs is neither",
    _F.STRONG_COPYLEFT: "the GPL lets anyone modify and run a work they do not convey (GPL-3.0 §2), and serving "
    "inference without transferring the weights is not conveying (§0)",
    _F.CUSTOM_MODEL: "OpenRAIL, Llama and Gemma licences allow fine-tuning and commercial serving provided the use "
    "restrictions bind the service's users and the attribution and eligibility terms are met, as the policy assumes",
    _F.NETWORK_COPYLEFT: "a modified model that users reach over a network must offer them its source, the fine-tuned "
    "weights (AGPL-3.0 §13), and the policy publishes no weights",
    _F.NON_COMMERCIAL: "it permits non-commercial use only (CC BY-NC 4.0 §1(i), §2(a)(1)), and a model served "
    "through the registry is taken as possibly commercial",
    _F.NO_DERIVATIVES: "it forbids sharing adapted models (CC BY-ND 4.0 §2(a)(1)(B); ND 2.0 and 3.0 grant no right "
    "to adapt at all) or limits use to research, and a fine-tune served to the public is taken as shared",
    _F.UNKNOWN: "no licence the registry recognises grants a right to fine-tune the model, and without one every "
    "right is reserved",
}
"""Why each family of model licence allows the use or not (the columns of the matrix)."""


@dataclass(frozen=True)
class Verdict:
    """The answer for one repository and one model with its ancestors."""

    allowed: bool
    """May the code be used to fine-tune the model and serve inference with it?"""
    reason: str
    """Why, in a sentence naming the licences and the rule that decided."""
    cell: tuple[LicenseFamily, LicenseFamily]
    """The matrix cell (code family, model family) that decided."""


_NO_LICENCE: Final = frozenset({"", "noassertion", "none", "unknown"})
_ALIASES: Final[Mapping[str, str]] = {
    "bsd": "LicenseRef-bsd",
    "cc": "LicenseRef-cc",
    "gpl": "LicenseRef-gpl",
    "lgpl": "LicenseRef-lgpl",
    "gfdl": "LicenseRef-gfdl",
    "odbl": "ODbL-1.0",
    "odc-by": "ODC-By-1.0",
    "pddl": "PDDL-1.0",
    "lgpl-lr": "LGPLLR",
    "c-uda": "C-UDA-1.0",
    "openrail++": "LicenseRef-openrail-pp",
}
# Listed identifiers, by family; the others are classed by their words (nd, nc, research…) then their prefix.
_MEMBERS: Final[Mapping[LicenseFamily, str]] = {
    _F.PERMISSIVE: "MIT MIT-0 Apache-2.0 BSD-2-Clause BSD-3-Clause BSD-3-Clause-Clear BSD-4-Clause BSD-2-Clause-Patent "
    "0BSD ISC Unlicense CC0-1.0 AFL-3.0 Zlib BSL-1.0 Artistic-2.0 WTFPL ECL-2.0 PostgreSQL NCSA MS-PL UPL-1.0 "
    "Python-2.0 PDDL-1.0 ODC-By-1.0 CDLA-Permissive-1.0 CDLA-Permissive-2.0 etalab-2.0 LicenseRef-bsd",
    _F.WEAK_COPYLEFT: "MS-RL OFL-1.1 LPPL-1.3c CDLA-Sharing-1.0 ODbL-1.0 LGPLLR LicenseRef-lgpl",
    _F.STRONG_COPYLEFT: "LicenseRef-gpl LicenseRef-gfdl",
    _F.CUSTOM_MODEL: "LicenseRef-openrail LicenseRef-openrail-pp LicenseRef-bigscience-openrail-m "
    "LicenseRef-creativeml-openrail-m LicenseRef-bigcode-openrail-m LicenseRef-bigscience-bloom-rail-1.0 "
    "LicenseRef-llama2 LicenseRef-llama3 LicenseRef-llama3.1 LicenseRef-llama3.2 LicenseRef-llama3.3 "
    "LicenseRef-llama4 LicenseRef-gemma",
    _F.NETWORK_COPYLEFT: "OSL-3.0 SSPL-1.0 RPL-1.5 CPAL-1.0",
    _F.NO_DERIVATIVES: "LicenseRef-deepfloyd-if-license LicenseRef-apple-amlr",
}
_FAMILY_OF: Final[Mapping[str, LicenseFamily]] = {key: f for f, keys in _MEMBERS.items() for key in keys.split()}
_PREFIXES: Final[Mapping[LicenseFamily, tuple[str, ...]]] = {  # in this order: CC-BY-SA- before CC-BY-
    _F.WEAK_COPYLEFT: ("CC-BY-SA-", "LGPL-", "MPL-", "EPL-", "CDDL-"),
    _F.PERMISSIVE: ("CC-BY-",),
    _F.STRONG_COPYLEFT: ("GPL-", "GFDL-"),
    _F.NETWORK_COPYLEFT: ("AGPL-", "EUPL-"),
}
_NO_DERIVATIVE_WORDS: Final = frozenset({"nd", "noderivatives", "research"})
_NON_COMMERCIAL_WORDS: Final = frozenset({"nc", "noncommercial"})
_LINKING_EXCEPTIONS: Final = frozenset(
    {"Classpath-exception-2.0", "GCC-exception-2.0", "GCC-exception-3.1", "LLVM-exception", "Autoconf-exception-3.0"}
    | {"Bison-exception-2.2", "Universal-FOSS-exception-1.0", "LGPL-3.0-linking-exception"}
)
_NOT_IDSTRING: Final = re.compile(r"[^A-Za-z0-9.-]+")
_RANK: Final[Mapping[LicenseFamily, int]] = {f: rank for rank, f in enumerate(LicenseFamily)}


@cache
def _licensing() -> Any:
    """license-expression's SPDX licensing, built on first use (it reads the licence index it ships)."""
    return get_spdx_licensing()


def normalise(identifier: str | None) -> str | None:
    """Canonical SPDX id of a GitHub ``spdx_id`` or Hugging Face ``license:`` identifier, any case.

    Licences outside SPDX become ``LicenseRef-<id>`` (``llama3`` → ``LicenseRef-llama3``, ``other`` →
    ``LicenseRef-other``); deprecated ids take their ``-only`` reading (``GPL-3.0`` → ``GPL-3.0-only``). ``None``
    when the identifier says no licence is known: absent, empty, ``NOASSERTION``, ``NONE`` or ``unknown``.
    """
    if identifier is None:
        return None
    text = identifier.strip()
    lowered = text.lower()
    if lowered in _NO_LICENCE:
        return None
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    try:
        parsed = _licensing().parse(text)
    except (ExpressionError, ParseError):
        parsed = None
    if isinstance(parsed, LicenseSymbol) and parsed.key in _licensing().known_symbols:
        return str(parsed.key)
    custom = _NOT_IDSTRING.sub("-", lowered.removeprefix("licenseref-")).strip("-")
    return f"LicenseRef-{custom}"


def _identifier_family(canonical: str | None) -> LicenseFamily:
    """The family of one normalised identifier: listed ids first, then its words, then its prefix."""
    if canonical is None:
        return _F.UNKNOWN
    if canonical in _FAMILY_OF:
        return _FAMILY_OF[canonical]
    words = set(canonical.lower().split("-"))
    if words & _NO_DERIVATIVE_WORDS:
        return _F.NO_DERIVATIVES
    if words & _NON_COMMERCIAL_WORDS:
        return _F.NON_COMMERCIAL
    return next((f for f, prefixes in _PREFIXES.items() if canonical.startswith(prefixes)), _F.UNKNOWN)


def _node_family(node: Any) -> LicenseFamily:
    """The family of a parsed expression: ``OR`` → most favourable choice, ``AND`` → least favourable."""
    if isinstance(node, LicenseWithExceptionSymbol):
        base = _node_family(node.license_symbol)
        linking = node.exception_symbol.key in _LINKING_EXCEPTIONS
        return _F.WEAK_COPYLEFT if base is _F.STRONG_COPYLEFT and linking else base
    if isinstance(node, LicenseSymbol):
        return _identifier_family(normalise(str(node.key)))
    families = [_node_family(arg) for arg in node.args]
    return (min if isinstance(node, OR) else max)(families, key=_RANK.__getitem__)


def family(expression: str | None) -> LicenseFamily:
    """The family of a licence identifier or SPDX expression (``OR``, ``AND``, ``WITH``); unknown if unparseable."""
    if not isinstance(expression, str) or expression.strip().lower() in _NO_LICENCE:
        return _F.UNKNOWN
    try:
        parsed = _licensing().parse(expression)
    except (ExpressionError, ParseError):
        return _F.UNKNOWN
    return _F.UNKNOWN if parsed is None else _node_family(parsed)


def _shown(licence: str | None) -> str:
    return licence.strip() if isinstance(licence, str) and licence.strip() else "(none)"


def _verdict(code_licence: str | None, code: LicenseFamily, role: str, model_licence: str | None) -> Verdict:
    """The matrix cell of one code licence and one model licence, with its reason."""
    model = family(model_licence)
    allowed = MATRIX[(code, model)]
    code_part = f"code licence {_shown(code_licence)} is {code}: {CODE_REASONS[code]}"
    model_part = f"{role} licence {_shown(model_licence)} is {model}: {MODEL_REASONS[model]}"
    if allowed:
        return Verdict(True, f"Allowed: {code_part}; {model_part}.", (code, model))
    code_fails, model_fails = not MATRIX[(code, _F.PERMISSIVE)], not MATRIX[(_F.PERMISSIVE, model)]
    blamed = [part for part, fails in ((code_part, code_fails), (model_part, model_fails)) if fails]
    return Verdict(False, f"Not allowed: {'; '.join(blamed or [code_part, model_part])}.", (code, model))


def may_finetune_and_serve(
    code_licence: str | None, model_licence: str | None, base_model_licences: Sequence[str | None] = ()
) -> Verdict:
    """May code under ``code_licence`` fine-tune a model under ``model_licence`` and serve inference with it?

    A fine-tune inherits its ancestors' obligations, so the model's licence and every base model's licence must
    each allow it; the first that does not decides. Each licence may be an identifier or an SPDX expression.
    """
    code = family(code_licence)
    model_verdict = _verdict(code_licence, code, "model", model_licence)
    base_verdicts = [_verdict(code_licence, code, "base model", licence) for licence in base_model_licences]
    refused = [v for v in (model_verdict, *base_verdicts) if not v.allowed]
    if refused:
        return refused[0]
    if not base_verdicts:
        return model_verdict
    bases = ", ".join(_shown(licence) for licence in base_model_licences)
    return Verdict(True, f"{model_verdict.reason[:-1]}; base model licences {bases} allow it too.", model_verdict.cell)
