"""Linear-time regex search and the exact lifting of huge counted repetitions."""

import pytest

from catalog.domain.search import InvalidPattern, compile_pattern

EVIL_NAME = b"a" * 99 + b"b"


@pytest.mark.parametrize("pattern", ["(a{1,99999}){1,99999}$", "(a+)+$", "(a|aa)+$", "^(a+)+$", "((a+)+)+$"])
def test_catastrophic_patterns_run_and_do_not_match_the_evil_name(pattern: str) -> None:
    compiled = compile_pattern(pattern, longest_text=len(EVIL_NAME))
    assert not compiled.matches(EVIL_NAME)
    assert compiled.matches(b"a" * 100)


def test_lifted_bounds_keep_the_meaning_on_short_texts() -> None:
    compiled = compile_pattern("^x{2,5000}$", longest_text=100)
    assert compiled.matches(b"xx")
    assert compiled.matches(b"x" * 100)
    assert not compiled.matches(b"x")


def test_bounds_shorter_than_the_longest_text_are_refused_not_changed() -> None:
    with pytest.raises(InvalidPattern, match="repetition"):
        compile_pattern("^x{2,5000}$", longest_text=10_000)


@pytest.mark.parametrize("pattern", ["[a-z]{1,5000}\\{1,99999}", "[{]{1,2}"])
def test_braces_in_classes_and_escapes_are_left_alone(pattern: str) -> None:
    compiled = compile_pattern(pattern, longest_text=50)
    assert compiled.matches(b"abc{1,99999}") or compiled.matches(b"{")


@pytest.mark.parametrize("pattern", ["(", "[a-", "a{2,1}", "(?=a)", "", "x" * 5000])
def test_invalid_patterns_are_refused_with_a_reason(pattern: str) -> None:
    with pytest.raises(InvalidPattern):
        compile_pattern(pattern, longest_text=10)


def test_text_is_matched_as_unicode_characters() -> None:
    compiled = compile_pattern("^caf.$", longest_text=10)
    assert compiled.matches("café".encode())


def test_search_is_case_sensitive_and_unanchored() -> None:
    compiled = compile_pattern("bert", longest_text=20)
    assert compiled.matches(b"google-bert-base")
    assert not compiled.matches(b"BERT")
