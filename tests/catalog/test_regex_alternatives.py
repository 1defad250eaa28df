"""A pattern's outermost alternatives are searched (and remembered) one by one, with the pattern's leading flags."""

import pytest

from catalog.domain.regex_alternatives import top_level_alternatives


@pytest.mark.parametrize(
    ("pattern", "alternatives"),
    [
        ("(?i)checkpoint-0-7|fine-?tuned on squad", ["(?i)checkpoint-0-7", "(?i)fine-?tuned on squad"]),
        ("a|b|", ["a", "b", ""]),
        ("^a|(b|c)d$", ["^a", "(b|c)d$"]),
        ("[|]x|\\|y|(?:z|w)", ["[|]x", "\\|y", "(?:z|w)"]),
        ("[]|]a|b", ["[]|]a", "b"]),
        ("(?i-s)a|.b", ["(?i-s)a", "(?i-s).b"]),
        ("(?i:a)|b", ["(?i:a)", "b"]),
    ],
)
def test_outermost_alternatives_carry_the_leading_flags(pattern: str, alternatives: list[str]) -> None:
    assert top_level_alternatives(pattern) == alternatives


@pytest.mark.parametrize(
    "pattern",
    [
        "bert",
        "(a|b)",
        "x(?i)a|b",  # RE2: (?i) holds to the end, across the "|"
        "[[:alpha:]]|b",
        "\\Qa|b\\E",
        "|".join("abcdefghi"),
    ],
)
def test_patterns_with_one_alternative_or_an_unsure_shape_stay_whole(pattern: str) -> None:
    assert top_level_alternatives(pattern) is None
