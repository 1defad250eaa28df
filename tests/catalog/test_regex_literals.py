"""The literals every match of a pattern must contain: what the trigram prefilter may rely on."""

import pytest

from catalog.domain.regex_literals import (
    EVERYTHING,
    AllOf,
    AnyOf,
    Contains,
    Query,
    normalize_char,
    reads_like_re2,
    required_literals,
)
from catalog.domain.search import quick_to_check


@pytest.mark.parametrize(
    ("pattern", "query"),
    [
        ("bert", Contains("bert")),
        ("BERT", Contains("bert")),
        ("(?i)Bert", Contains("bert")),
        (
            "(?i)checkpoint-0-7|fine-?tuned on squad",
            AnyOf((Contains("checkpoint-0-7"), Contains("fine-tuned on squad"), Contains("finetuned on squad"))),
        ),
        ("ab*cd", AllOf((Contains("a"), Contains("cd")))),
        ("^model-1[01]$", AnyOf((Contains("model-10"), Contains("model-11")))),
        ("x{2,3}yz", AnyOf((Contains("xxxyz"), Contains("xxyz")))),
        ("(?:ab){2,}", Contains("abab")),
        ("(?:ab)+c", AllOf((Contains("ab"), Contains("c")))),
        ("needle$", Contains("needle")),
        ("\\bword\\b", Contains("word")),
        ("caf\u00e9", Contains("caf\u00e9")),
        ("(?i)caf\u00e9", Contains("caf")),  # under (?i), \u00e9 also matches \u00c9, which is not normalized
        ("(?i)\u212aelvin", Contains("kelvin")),
        ("\u017fun", Contains("sun")),
        ("(?i)(?-i:AB)c", Contains("abc")),
        ("a\\.b", Contains("a.b")),
        ("\\x41bc", Contains("abc")),
        ("[Kk]ey", Contains("key")),
    ],
)
def test_literals_a_match_must_contain(pattern: str, query: Query) -> None:
    assert required_literals(pattern) == query


@pytest.mark.parametrize(
    "pattern",
    ["a|", "(?:)", "a*", "x{0,}", ".", "[a-z]+", "\\w+", "(?i)\u00e9\u00e8", "(a)\\1", "a{0}"],
)
def test_patterns_that_need_no_literal_filter_nothing(pattern: str) -> None:
    assert required_literals(pattern) == EVERYTHING


@pytest.mark.parametrize(
    "pattern",
    [
        "[[:alpha:]]bert",  # RE2: a POSIX class; Python: the class [[:alph] and a literal "]bert"
        "\\pLbert",
        "\\p{Greek}bert",
        "\\Qa.b\\E",
        "\\Cbert",
        "bert\\z",
        "(?U)bert",
        "\\x{62}ert",
        "ber{,3}t",  # RE2: the text "{,3}"; Python: a repetition
        "\\101bert",  # RE2: octal
        "[a--]bert",
        "[a&&b]bert",
    ],
)
def test_syntax_python_reads_otherwise_is_never_relied_on(pattern: str) -> None:
    assert required_literals(pattern) == EVERYTHING


@pytest.mark.parametrize(
    ("pattern", "alike"),
    [
        ("(?i)checkpoint-\\d+|fine-?tuned", True),
        ("[]a]x{2,3}\\.\\n\\x41", True),
        ("[[:alpha:]]", False),
        ("\\pL", False),
        ("a{,3}", False),
        ("\\Qx\\E", False),
        ("[a||b]", False),
    ],
)
def test_which_patterns_python_reads_as_re2_does(pattern: str, alike: bool) -> None:
    assert reads_like_re2(pattern) is alike


def test_normalization_joins_exactly_what_case_folding_joins_with_ascii() -> None:
    assert [normalize_char(c) for c in "AzK\u212a\u017f\u00c9\u00e9"] == ["a", "z", "k", "k", "s", "\u00c9", "\u00e9"]


@pytest.mark.parametrize(
    ("pattern", "quick"),
    [
        ("(?i)checkpoint-0-7|fine-?tuned on squad", True),
        ("(?i)" + "\\W" * 62, True),
        ("a{2}", False),
        ("\\pL", False),
        ("caf\u00e9", False),
        ("x" * 129, False),
    ],
)
def test_only_short_plain_ascii_patterns_are_checked_on_the_event_loop(pattern: str, quick: bool) -> None:
    assert quick_to_check(pattern) is quick
