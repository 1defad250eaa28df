"""Where the UI may send a browser back to after signing in."""

import pytest

from ui.pages import safe_next


@pytest.mark.parametrize(
    "raw",
    [None, "", "https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
     "/ /evil", "relative/path", "/\x7f"],
)  # fmt: skip
def test_anything_but_a_plain_local_path_falls_back_to_the_list(raw: str | None) -> None:
    assert safe_next(raw) == "/artifacts"


def test_a_local_path_with_its_query_is_kept() -> None:
    assert safe_next("/artifacts/model/42?tab=rating") == "/artifacts/model/42?tab=rating"
