"""Licence rules: the documented matrix cell by cell, kept equal to the code (docs/licenses.md).

Identifiers and SPDX expressions are in ``test_license_identifiers.py``, verdicts on several licences and on a
model's lineage in ``test_license_verdicts.py``.
"""

import itertools
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from lineage.domain.licenses import CODE_REASONS, MATRIX, MODEL_REASONS, LicenseFamily, may_finetune_and_serve

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
