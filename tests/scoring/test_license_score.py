import pytest

from scoring.domain.license_score import LicenseInput, family_score, license_score


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("apache-2.0", 1.0),
        ("MIT", 1.0),
        ("bsd-3-clause", 1.0),
        ("lgpl-3.0", 0.8),
        ("mpl-2.0", 0.8),
        ("GPL-3.0-or-later", 0.6),
        ("gpl-2.0-only", 0.6),
        ("openrail++", 0.5),
        ("llama3.1", 0.5),
        ("agpl-3.0", 0.4),
        ("cc-by-nc-4.0", 0.2),
        ("cc-by-nc-sa-4.0", 0.2),
        ("deepfloyd-if-license", 0.2),
        ("other", 0.0),
        ("unknown", 0.0),
        ("", 0.0),
        (None, 0.0),
    ],
)
def test_family_table(identifier: str | None, expected: float) -> None:
    assert family_score(identifier) == expected


def test_no_licence_scores_zero() -> None:
    assert license_score(LicenseInput(None)) == 0.0
    assert license_score(LicenseInput("   ", in_metadata=False)) == 0.0


def test_text_only_licence_is_discounted() -> None:
    assert license_score(LicenseInput("mit", in_metadata=False)) == 0.9
    assert license_score(LicenseInput("mit", in_metadata=False)) < license_score(LicenseInput("mit"))


def test_families_are_ordered_from_permissive_to_restrictive() -> None:
    order = ["apache-2.0", "lgpl-2.1", "gpl-3.0", "creativeml-openrail-m", "agpl-3.0", "cc-by-nc-nd-4.0", "other"]
    scores = [license_score(LicenseInput(name)) for name in order]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)
