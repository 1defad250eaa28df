"""Linear-time regex search and the exact lifting of huge counted repetitions."""

import pytest

from catalog.domain.search import InvalidPattern, PatternTooCostly, compile_pattern

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


@pytest.mark.parametrize(
    ("pattern", "literal", "not_literal"),
    [("^[a-z]{1,5000}\\{1,99999}$", b"abc{1,99999}", b"abc{"), ("^[{]{1,2}$", b"{{", b"{{{")],
)
def test_braces_in_classes_and_escapes_are_left_alone(pattern: str, literal: bytes, not_literal: bytes) -> None:
    compiled = compile_pattern(pattern, longest_text=50)
    assert compiled.matches(literal)
    assert not compiled.matches(not_literal)


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


COSTLY = "|".join(f"[^{chr(97 + i % 26)}].{{999}}x" for i in range(200))


def test_a_pattern_compiling_to_a_huge_program_is_refused_as_too_costly() -> None:
    assert len(COSTLY) == 2399
    with pytest.raises(PatternTooCostly, match=r"too costly.*10,000 instructions"):
        compile_pattern(COSTLY, longest_text=10)


def test_the_program_size_limit_is_a_parameter() -> None:
    assert compile_pattern("[^a].{999}x", longest_text=10).compiled.programsize > 8000
    with pytest.raises(PatternTooCostly, match=r"compiles to 8,00\d instructions, above the limit of 1,000"):
        compile_pattern("[^a].{999}x", longest_text=10, max_program=1000)
