"""``registry users {ls,add,rm,grant}`` as the administrator, and what a user without a permission sees."""

from pathlib import Path

from tests.client.conftest import Cli, Ran

PASSWORD = "s3cret-pass!"


def test_an_admin_adds_grants_lists_and_removes_a_user(admin: Cli, tmp_path: Path) -> None:
    added = admin("users", "add", "carol", "--password-stdin", "-p", "search", "--json", stdin=PASSWORD)
    assert added.json() == {"name": "carol", "is_admin": False, "permissions": ["search"]}
    assert admin("users", "add", "carol", "--password-stdin", stdin=PASSWORD).code == 6, "she exists"
    assert cli_as(admin, tmp_path, "carol").code == 0
    refused = admin("reset", "--yes", config=tmp_path)
    assert refused.code == 2 and "lacks the 'admin' permission" in refused.stderr
    granted = admin("users", "grant", "carol", "search", "download", "--json").json()
    assert sorted(granted["permissions"]) == ["download", "search"]
    listed = {user["name"]: user for user in admin("users", "ls", "--json").json()}
    assert (
        sorted(listed["carol"]["permissions"]) == ["download", "search"]
        and listed["ece30861defaultadminuser"]["is_admin"]
    )
    assert "carol" in admin("users", "ls").stdout
    assert admin("users", "rm", "carol").code == 0
    assert admin("ls", config=tmp_path).code == 2, "her token stopped working with her account"
    assert admin("users", "rm", "carol").code == 4


def cli_as(cli: Cli, config: Path, user: str) -> Ran:
    """Log ``user`` in with a config directory of their own."""
    return cli("login", "--user", user, "--password-stdin", stdin=PASSWORD, config=config)
