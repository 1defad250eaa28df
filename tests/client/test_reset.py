"""``registry reset --yes`` on a registry of its own (the other CLI tests share theirs and must not lose it)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api import ADMIN, ADMIN_PASSWORD
from tests.client.conftest import Cli, cli_against, run_in_process
from tests.harness import running_registry


@pytest.fixture(scope="module")
def own(workdir: Path, mirror_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """The CLI against a registry only this module uses, logged in as the default admin."""
    config = tmp_path_factory.mktemp("reset-config")
    with running_registry(workdir / "client-reset", mirror_url) as stack:
        run = cli_against(run_in_process, stack.base_url, config)
        assert run("login", "--user", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD).code == 0
        yield run


def test_reset_needs_yes_then_empties_the_registry_and_keeps_the_admin_token(own: Cli) -> None:
    assert own("ingest", "dataset", "https://huggingface.co/datasets/rajpurkar/squad").code == 0
    assert own("users", "add", "dave", "--password-stdin", stdin="s3cret-pass!").code == 0
    refused = own("reset")
    assert refused.code == 1 and "pass --yes" in refused.stderr
    assert len(own("ls", "--json").json()) == 1, "nothing was deleted without --yes"
    assert own("reset", "--yes", "--json").json() == {"reset": True}
    assert own("ls", "--json").json() == [], "the admin's token still works"
    assert [user["name"] for user in own("users", "ls", "--json").json()] == [ADMIN]
