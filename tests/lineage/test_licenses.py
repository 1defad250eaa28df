"""Licence rules: the documented matrix cell by cell, identifiers, SPDX expressions and lineage (docs/licenses.md)."""

import dataclasses
import itertools
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from lineage.domain.licenses import (
    CODE_REASONS,
    MATRIX,
    MODEL_REASONS,
    LicenseFamily,
    family,
    may_finetune_and_serve,
    normalise,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "licenses.md"
F = LicenseFamily
CELLS = list(itertools.product(LicenseFamily, LicenseFamily))
ANSWERS = {"yes": True, "no": False}
Matrix = dict[tuple[LicenseFamily, LicenseFamily], bool]

# One licence of each family, spelt as GitHub names code licences and as Hugging Face cards name model licences.
CODE_EXAMPLES = {
    F.PERMISSIVE: "MIT",
    F.WEAK_COPYLEFT: "MPL-2.0",
    F.STRONG_COPYLEFT: "GPL-3.0",
    F.CUSTOM_MODEL: "LicenseRef-llama3",
    F.NETWORK_COPYLEFT: "AGPL-3.0",
    F.NON_COMMERCIAL: "CC-BY-NC-4.0",
    F.NO_DERIVATIVES: "CC-BY-ND-4.0",
    F.UNKNOWN: "NOASSERTION",
}
MODEL_EXAMPLES = {
    F.PERMISSIVE: "apache-2.0",
    F.WEAK_COPYLEFT: "cc-by-sa-4.0",
    F.STRONG_COPYLEFT: "gpl-3.0",
    F.CUSTOM_MODEL: "bigscience-openrail-m",
    F.NETWORK_COPYLEFT: "agpl-3.0",
    F.NON_COMMERCIAL: "cc-by-nc-4.0",
    F.NO_DERIVATIVES: "cc-by-nd-4.0",
    F.UNKNOWN: "other",
}


def _section(heading: str) -> str:
    """The text under ``heading`` in docs/licenses.md, up to the next heading of the same or a higher level."""
    text = DOCS.read_text(encoding="utf-8")
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    following = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE).search(text, start)
    return text[start : following.start() if following else len(text)]


def _table(section: str) -> list[list[str]]:
    """The rows of the markdown table in ``section``, header first, without the separator row or bold marks."""
    lines = [line for line in section.splitlines() if line.startswith("|")]
    rows = [[cell.strip().strip("*") for cell in line.strip().strip("|").split("|")] for line in lines]
    return [row for row in rows if not set("".join(row)) <= set("-: ")]


@pytest.fixture(scope="module")
def documented_matrix() -> Matrix:
    """The matrix table of docs/licenses.md, as {(code family, model family): answer}."""
    header, *rows = _table(_section("## The matrix"))
    models = [LicenseFamily(name) for name in header[1:]]
    return {
        (LicenseFamily(row[0]), model): ANSWERS[answer]
        for row in rows
        for model, answer in zip(models, row[1:], strict=True)
    }


def test_docs_and_code_hold_the_same_matrix(documented_matrix: Matrix) -> None:
    assert len(documented_matrix) == len(CELLS)
    assert documented_matrix == dict(MATRIX)


@pytest.mark.parametrize(
    ("heading", "reasons"),
    [("### As the code's licence", CODE_REASONS), ("### As the model's licence", MODEL_REASONS)],
)
def test_docs_and_code_give_the_same_reason_for_each_family(heading: str, reasons: Mapping[LicenseFamily, str]) -> None:
    _, *rows = _table(_section(heading))
    assert {LicenseFamily(name): reason for name, reason in rows} == dict(reasons)


def test_docs_reason_every_cell_with_the_matrix_answer(documented_matrix: Matrix) -> None:
    bullets = re.findall(
        r"^- \*\*(.+?) code \u00d7 (.+?) model: (yes|no)\.\*\*", _section("## Cell by cell"), re.MULTILINE
    )
    reasoned = {(LicenseFamily(code), LicenseFamily(model)): ANSWERS[answer] for code, model, answer in bullets}
    assert len(bullets) == len(reasoned) == len(CELLS)
    assert reasoned == documented_matrix


@pytest.mark.parametrize(("code", "model"), CELLS, ids=[f"{c.name}-code-x-{m.name}-model".lower() for c, m in CELLS])
def test_each_cell_answers_as_documented(code: LicenseFamily, model: LicenseFamily, documented_matrix: Matrix) -> None:
    verdict = may_finetune_and_serve(CODE_EXAMPLES[code], MODEL_EXAMPLES[model])
    assert verdict.cell == (code, model)
    assert verdict.allowed is documented_matrix[(code, model)]
    assert verdict.reason.startswith("Allowed: " if verdict.allowed else "Not allowed: ")


def test_families_are_ordered_so_a_more_favourable_one_never_answers_no_where_a_less_favourable_one_answers_yes() -> (
    None
):
    for better, worse in itertools.combinations(LicenseFamily, 2):
        for other in LicenseFamily:
            assert MATRIX[(better, other)] >= MATRIX[(worse, other)], (better, worse, other)
            assert MATRIX[(other, better)] >= MATRIX[(other, worse)], (better, worse, other)


@pytest.mark.parametrize(
    ("code", "model"),
    [
        ("MIT", "apache-2.0"),
        ("Apache-2.0", "mit"),
        ("GPL-3.0", "mit"),
        ("LGPL-2.1", "cc-by-sa-4.0"),
        ("GPL-2.0", "gpl-3.0"),
    ],
)
def test_permissive_and_copyleft_code_may_fine_tune_and_serve_since_nothing_is_distributed(
    code: str, model: str
) -> None:
    assert may_finetune_and_serve(code, model).allowed


@pytest.mark.parametrize(
    "model", ["openrail", "bigscience-openrail-m", "creativeml-openrail-m", "llama2", "llama3", "llama3.1", "gemma"]
)
def test_custom_model_licences_allow_fine_tuning_under_their_use_restrictions(model: str) -> None:
    verdict = may_finetune_and_serve("Apache-2.0", model)
    assert verdict.allowed
    assert verdict.cell == (F.PERMISSIVE, F.CUSTOM_MODEL)


def test_agpl_code_is_refused_because_serving_it_requires_offering_its_source() -> None:
    verdict = may_finetune_and_serve("AGPL-3.0", "mit")
    assert not verdict.allowed
    assert "code licence AGPL-3.0 is network copyleft" in verdict.reason
    assert "AGPL-3.0 §13" in verdict.reason
    assert "model licence mit" not in verdict.reason


@pytest.mark.parametrize("model", ["cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-4.0", "agpl-3.0"])
def test_restrictive_model_licences_are_refused_and_named_as_the_reason(model: str) -> None:
    verdict = may_finetune_and_serve("MIT", model)
    assert not verdict.allowed
    assert f"model licence {model} is" in verdict.reason
    assert "code licence MIT" not in verdict.reason


@pytest.mark.parametrize(
    ("identifier", "canonical"),
    [
        ("apache-2.0", "Apache-2.0"),
        ("mit", "MIT"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("gpl-3.0", "GPL-3.0-only"),
        ("agpl-3.0", "AGPL-3.0-only"),
        ("bsd-3-clause", "BSD-3-Clause"),
        ("afl-3.0", "AFL-3.0"),
        ("openrail", "LicenseRef-openrail"),
        ("openrail++", "LicenseRef-openrail-pp"),
        ("bigscience-openrail-m", "LicenseRef-bigscience-openrail-m"),
        ("creativeml-openrail-m", "LicenseRef-creativeml-openrail-m"),
        ("llama2", "LicenseRef-llama2"),
        ("llama3", "LicenseRef-llama3"),
        ("llama3.1", "LicenseRef-llama3.1"),
        ("gemma", "LicenseRef-gemma"),
        ("other", "LicenseRef-other"),
        ("bsd", "LicenseRef-bsd"),
        ("odbl", "ODbL-1.0"),
        ("lgpl-lr", "LGPLLR"),
    ],
)
def test_normalises_hugging_face_identifiers(identifier: str, canonical: str) -> None:
    assert normalise(identifier) == canonical


@pytest.mark.parametrize(
    ("spdx_id", "canonical"),
    [
        ("MIT", "MIT"),
        ("Apache-2.0", "Apache-2.0"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("GPL-3.0", "GPL-3.0-only"),
        ("AGPL-3.0", "AGPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("MPL-2.0", "MPL-2.0"),
        ("BSD-2-Clause", "BSD-2-Clause"),
        ("Unlicense", "Unlicense"),
        ("CC0-1.0", "CC0-1.0"),
    ],
)
def test_normalises_github_spdx_ids(spdx_id: str, canonical: str) -> None:
    assert normalise(spdx_id) == canonical


@pytest.mark.parametrize(
    ("identifier", "canonical"),
    [
        ("MIT", "MIT"),
        ("Mit", "MIT"),
        (" mit ", "MIT"),
        ("LLAMA3", "LicenseRef-llama3"),
        ("LicenseRef-Llama3", "LicenseRef-llama3"),
    ],
)
def test_normalisation_ignores_case_and_surrounding_space(identifier: str, canonical: str) -> None:
    assert normalise(identifier) == canonical


@pytest.mark.parametrize("identifier", [None, "", "  ", "NOASSERTION", "noassertion", "NONE", "unknown", "Unknown"])
def test_identifiers_that_say_no_licence_is_known_normalise_to_none(identifier: str | None) -> None:
    assert normalise(identifier) is None


def test_an_unrecognised_licence_name_becomes_a_valid_licence_ref() -> None:
    assert normalise("My Licence v2!") == "LicenseRef-my-licence-v2"


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("apache-2.0", F.PERMISSIVE),
        ("mit", F.PERMISSIVE),
        ("bsd-3-clause", F.PERMISSIVE),
        ("afl-3.0", F.PERMISSIVE),
        ("cc-by-4.0", F.PERMISSIVE),
        ("cc0-1.0", F.PERMISSIVE),
        ("unlicense", F.PERMISSIVE),
        ("ISC", F.PERMISSIVE),
        ("zlib", F.PERMISSIVE),
        ("cc-by-sa-4.0", F.WEAK_COPYLEFT),
        ("lgpl-3.0", F.WEAK_COPYLEFT),
        ("mpl-2.0", F.WEAK_COPYLEFT),
        ("epl-2.0", F.WEAK_COPYLEFT),
        ("gpl-3.0", F.STRONG_COPYLEFT),
        ("GPL-2.0", F.STRONG_COPYLEFT),
        ("agpl-3.0", F.NETWORK_COPYLEFT),
        ("osl-3.0", F.NETWORK_COPYLEFT),
        ("eupl-1.1", F.NETWORK_COPYLEFT),
        ("cc-by-nc-4.0", F.NON_COMMERCIAL),
        ("cc-by-nc-sa-4.0", F.NON_COMMERCIAL),
        ("PolyForm-Noncommercial-1.0.0", F.NON_COMMERCIAL),
        ("cc-by-nd-4.0", F.NO_DERIVATIVES),
        ("cc-by-nc-nd-4.0", F.NO_DERIVATIVES),
        ("deepfloyd-if-license", F.NO_DERIVATIVES),
        ("openrail", F.CUSTOM_MODEL),
        ("bigscience-openrail-m", F.CUSTOM_MODEL),
        ("creativeml-openrail-m", F.CUSTOM_MODEL),
        ("llama2", F.CUSTOM_MODEL),
        ("llama3", F.CUSTOM_MODEL),
        ("llama3.1", F.CUSTOM_MODEL),
        ("gemma", F.CUSTOM_MODEL),
        ("other", F.UNKNOWN),
        ("unknown", F.UNKNOWN),
        ("cc", F.UNKNOWN),
        ("NOASSERTION", F.UNKNOWN),
        ("LicenseRef-made-up", F.UNKNOWN),
        (None, F.UNKNOWN),
    ],
)
def test_classifies_identifiers_into_families(identifier: str | None, expected: LicenseFamily) -> None:
    assert family(identifier) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("MIT OR AGPL-3.0", F.PERMISSIVE),
        ("AGPL-3.0 OR MIT", F.PERMISSIVE),
        ("MIT AND AGPL-3.0", F.NETWORK_COPYLEFT),
        ("apache-2.0 AND cc-by-nc-4.0", F.NON_COMMERCIAL),
        ("(MIT OR cc-by-nc-4.0) AND llama3", F.CUSTOM_MODEL),
        ("GPL-2.0-only WITH Classpath-exception-2.0", F.WEAK_COPYLEFT),
        ("GPL-2.0-or-later WITH GCC-exception-3.1", F.WEAK_COPYLEFT),
        ("GPL-3.0-only WITH LicenseRef-made-up-exception", F.STRONG_COPYLEFT),
        ("AGPL-3.0-only WITH Classpath-exception-2.0", F.NETWORK_COPYLEFT),
        ("Apache-2.0 WITH LLVM-exception", F.PERMISSIVE),
        ("MIT OR LicenseRef-made-up", F.PERMISSIVE),
        ("MIT AND LicenseRef-made-up", F.UNKNOWN),
        ("MIT OR NOASSERTION", F.PERMISSIVE),
        ("MIT AND", F.UNKNOWN),
        ("(MIT", F.UNKNOWN),
        ("MIT OR OR Apache-2.0", F.UNKNOWN),
    ],
)
def test_spdx_expressions_take_the_best_choice_of_or_and_the_worst_of_and(
    expression: str, expected: LicenseFamily
) -> None:
    assert family(expression) is expected


def test_a_dual_licensed_repository_may_be_used_under_its_favourable_choice() -> None:
    verdict = may_finetune_and_serve("MIT OR AGPL-3.0", "apache-2.0")
    assert verdict.allowed
    assert verdict.cell == (F.PERMISSIVE, F.PERMISSIVE)


def test_a_model_under_several_licences_at_once_must_satisfy_all() -> None:
    verdict = may_finetune_and_serve("MIT", "apache-2.0 AND cc-by-nc-4.0")
    assert not verdict.allowed
    assert verdict.cell == (F.PERMISSIVE, F.NON_COMMERCIAL)


def test_gpl_code_with_a_linking_exception_counts_as_weak_copyleft() -> None:
    verdict = may_finetune_and_serve("GPL-2.0-only WITH Classpath-exception-2.0", "mit")
    assert verdict.allowed
    assert verdict.cell == (F.WEAK_COPYLEFT, F.PERMISSIVE)


def test_a_repository_without_a_licence_is_refused() -> None:
    verdict = may_finetune_and_serve(None, "apache-2.0")
    assert not verdict.allowed
    assert verdict.cell == (F.UNKNOWN, F.PERMISSIVE)
    assert "code licence (none) is unknown" in verdict.reason


def test_a_model_without_a_licence_is_refused() -> None:
    verdict = may_finetune_and_serve("MIT", None)
    assert not verdict.allowed
    assert verdict.cell == (F.PERMISSIVE, F.UNKNOWN)


def test_an_apache_fine_tune_of_a_non_commercial_base_is_refused() -> None:
    verdict = may_finetune_and_serve("MIT", "apache-2.0", ["cc-by-nc-4.0"])
    assert not verdict.allowed
    assert verdict.cell == (F.PERMISSIVE, F.NON_COMMERCIAL)
    assert "base model licence cc-by-nc-4.0 is non-commercial" in verdict.reason


def test_every_ancestor_counts_not_only_the_direct_base() -> None:
    verdict = may_finetune_and_serve("MIT", "apache-2.0", ["mit", "agpl-3.0"])
    assert not verdict.allowed
    assert verdict.cell == (F.PERMISSIVE, F.NETWORK_COPYLEFT)


def test_a_base_model_without_a_licence_is_refused() -> None:
    verdict = may_finetune_and_serve("MIT", "apache-2.0", [None])
    assert not verdict.allowed
    assert "base model licence (none) is unknown" in verdict.reason


def test_the_first_refusing_licence_in_lineage_order_decides() -> None:
    assert may_finetune_and_serve("MIT", "cc-by-nd-4.0", ["cc-by-nc-4.0"]).cell == (F.PERMISSIVE, F.NO_DERIVATIVES)
    assert may_finetune_and_serve("MIT", "mit", ["cc-by-nc-4.0", "cc-by-nd-4.0"]).cell[1] is F.NON_COMMERCIAL


def test_a_fine_tune_whose_ancestors_all_allow_it_is_allowed_and_says_so() -> None:
    verdict = may_finetune_and_serve("Apache-2.0", "apache-2.0", ["llama3", "mit"])
    assert verdict.allowed
    assert verdict.cell == (F.PERMISSIVE, F.PERMISSIVE)
    assert "base model licences llama3, mit allow it too" in verdict.reason


def test_a_verdict_cannot_be_changed() -> None:
    verdict = may_finetune_and_serve("MIT", "mit")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.allowed = False  # type: ignore[misc]
