"""The ``registry`` CLI against a real registry (its own stack, on the recorded mirror, with the default quality
gate), with a config directory of its own. Most tests run its entry point in this process (``cli``), as the console
script would with those arguments, environment and standard input; the tests of the console script itself (exit
codes of the real process, argv handling) run the installed script in a subprocess (``script``)."""

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from registry_client.cli.app import main
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
Runner = Callable[[list[str], str, Mapping[str, str]], Ran]

_ONE_AT_A_TIME = threading.Lock()  # a run in this process swaps sys.argv, the standard streams and os.environ


def run_script(args: list[str], stdin: str, env: Mapping[str, str]) -> Ran:
    """``registry ARGS...``: the installed console script, in a process of its own."""
    done = subprocess.run(
        [str(REGISTRY), *args], input=stdin, capture_output=True, text=True, env={**os.environ, **env}, timeout=180,
        check=False,
    )  # fmt: skip
    return Ran(done.returncode, done.stdout, done.stderr)


def run_in_process(args: list[str], stdin: str, env: Mapping[str, str]) -> Ran:
    """``registry ARGS...`` through the console script's entry point in this process: the same argv, variables and
    standard streams, and its ``sys.exit`` status as the exit code (without the interpreter's start-up)."""
    with _ONE_AT_A_TIME, CliRunner().isolation(input=stdin, env=dict(env)) as (stdout, stderr, _):
        argv = sys.argv
        sys.argv = [str(REGISTRY), *args]
        try:
            main()
            code: int | str | None = 0
        except SystemExit as ended:
            code = ended.code
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
        return Ran(code if isinstance(code, int) else int(code is not None), _text(stdout), _text(stderr))


def _text(stream: io.BytesIO) -> str:
    """What a subprocess run's ``text=True`` reads: decoded, with universal newlines."""
    text: str = stream.getvalue().decode()
    return text.replace("\r\n", "\n").replace("\r", "\n")


def cli_against(runner: Runner, url: str, config_home: Path) -> Cli:
    """Run ``registry ARGS...`` against ``url`` (``config``: another user's config directory, ``env``: more
    variables); never raises on a non-zero exit."""

    def run(*args: str, stdin: str = "", config: Path | None = None, env: dict[str, str] | None = None) -> Ran:
        environment = {
            "REGISTRY_URL": url, "XDG_CONFIG_HOME": str(config or config_home), "COLUMNS": "200", "NO_COLOR": "1",
            **(env or {}),
        }  # fmt: skip
        return runner(list(args), stdin, environment)

    return run


@pytest.fixture(scope="package")
def client_registry(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) with the default quality gate and pages of 2 artifacts (so listings span pages)."""
    env = {"SCORING_GATE": "true", "CATALOG_PAGE_SIZE": "2"}
    with running_registry(workdir / "client", mirror_url, extra_env=env) as stack:
        yield stack


@pytest.fixture(scope="package")
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI's XDG config directory for these tests (where ``registry login`` keeps the token)."""
    return tmp_path_factory.mktemp("cli-config")


@pytest.fixture(scope="package")
def cli(client_registry: RegistryStack, config_home: Path) -> Cli:
    """``registry ARGS...`` against the stack, run in this process."""
    return cli_against(run_in_process, client_registry.base_url, config_home)


@pytest.fixture(scope="package")
def script(client_registry: RegistryStack, config_home: Path) -> Cli:
    """``registry ARGS...`` against the stack, run as the installed console script in a subprocess."""
    return cli_against(run_script, client_registry.base_url, config_home)


@pytest.fixture(scope="package")
def admin(cli: Cli) -> Cli:
    """The CLI, logged in as the default administrator."""
    done = cli("login", "--user", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert done.code == 0, done.stderr
    return cli


@pytest.fixture(scope="package")
def mini(admin: Cli) -> tuple[str, Ran]:
    """orchard-compute/orchard-mini (licensed, 5 files with published sha256) ingested with ``--wait``."""
    done = admin("ingest", "model", MINI, "--wait")
    assert done.code == 0, done.stderr
    return done.stdout.splitlines()[0].strip(), done
