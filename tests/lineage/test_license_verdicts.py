"""Licence verdicts beyond one cell of the matrix: several licences at once, none at all, and a model's lineage,
every ancestor of which must allow it too (docs/licenses.md)."""

import dataclasses

import pytest

from lineage.domain.licenses import LicenseFamily, may_finetune_and_serve

F = LicenseFamily


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
