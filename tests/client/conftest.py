"""The ``registry`` CLI against a real registry (its own stack, on the recorded mirror, with the default quality
gate), run as the installed console script in a subprocess with a config directory of its own."""

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api import ADMIN, ADMIN_PASSWORD
from tests.harness import RegistryStack, running_registry

REGISTRY = Path(sys.executable).with_name("registry")
MINI = "https://huggingface.co/orchard-compute/orchard-mini"


@dataclass
class Ran:
    """A finished CLI run."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Its stdout, parsed (the run must have succeeded)."""
        assert self.code == 0, self.stderr
        return json.loads(self.stdout)


Cli = Callable[..., Ran]


@pytest.fixture(scope="session")
def client_registry(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) with the default quality gate and pages of 2 artifacts (so listings span pages)."""
    env = {"SCORING_GATE": "true", "CATALOG_PAGE_SIZE": "2"}
    with running_registry(workdir / "client", mirror_url, extra_env=env) as stack:
        yield stack


@pytest.fixture(scope="session")
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI's XDG config directory for this session (where ``registry login`` keeps the token)."""
    return tmp_path_factory.mktemp("cli-config")


@pytest.fixture(scope="session")
def cli(client_registry: RegistryStack, config_home: Path) -> Cli:
    """Run ``registry ARGS...`` against the stack (``config``: another user's config directory, ``env``: more
    variables); never raises on a non-zero exit."""

    def run(
        *args: str,
        stdin: str = "",
        cwd: Path | None = None,
        config: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 180,
    ) -> Ran:
        environment = {
            **os.environ, "REGISTRY_URL": client_registry.base_url, "XDG_CONFIG_HOME": str(config or config_home),
            "COLUMNS": "200", "NO_COLOR": "1", **(env or {}),
        }  # fmt: skip
        done = subprocess.run(
            [str(REGISTRY), *args], input=stdin, capture_output=True, text=True, env=environment, cwd=cwd,
            timeout=timeout, check=False,
        )  # fmt: skip
        return Ran(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture(scope="session")
def admin(cli: Cli) -> Cli:
    """The CLI, logged in as the default administrator."""
    done = cli("login", "--user", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert done.code == 0, done.stderr
    return cli


@pytest.fixture(scope="session")
def mini(admin: Cli) -> tuple[str, Ran]:
    """orchard-compute/orchard-mini (licensed, 5 files with published sha256) ingested with ``--wait``."""
    done = admin("ingest", "model", MINI, "--wait")
    assert done.code == 0, done.stderr
    return done.stdout.splitlines()[0].strip(), done
