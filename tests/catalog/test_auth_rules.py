"""Token and permission rules."""

from datetime import UTC, datetime, timedelta

from catalog.domain.auth import ALL_PERMISSIONS, TokenPolicy, User, new_token, strip_bearer, token_digest
from contracts.users import Permission


def test_tokens_are_random_and_stored_only_as_digests() -> None:
    first, first_digest = new_token()
    second, _ = new_token()
    assert first != second
    assert first_digest == token_digest(first)
    assert first not in first_digest


def test_bearer_prefix_is_optional_and_case_insensitive() -> None:
    assert strip_bearer("bearer abc") == "abc"
    assert strip_bearer("Bearer   abc ") == "abc"
    assert strip_bearer("abc") == "abc"


def test_default_policy_is_1000_uses_or_10_hours() -> None:
    policy = TokenPolicy()
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert policy.max_uses == 1000
    assert policy.oldest_valid_issue_time(now) == now - timedelta(hours=10)


def test_admins_hold_every_permission() -> None:
    admin = User("a", "h", is_admin=True, permissions=())
    reader = User("r", "h", is_admin=False, permissions=(Permission.SEARCH, Permission.SEARCH))
    assert admin.effective_permissions() == list(ALL_PERMISSIONS)
    assert reader.effective_permissions() == [Permission.SEARCH]
