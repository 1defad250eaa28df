"""``registry login`` keeps the token in the user's config directory (mode 0600) with its expiry; ``whoami`` shows
it; errors are one line carrying the request id the gateway logged them under."""

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.api import ADMIN, ADMIN_PASSWORD
from tests.client.conftest import Cli
from tests.harness import RegistryStack


def test_login_keeps_the_token_in_a_file_only_its_owner_reads(cli: Cli, tmp_path: Path) -> None:
    done = cli("login", "--user", ADMIN, "--password-stdin", "--json", stdin=ADMIN_PASSWORD + "\n", config=tmp_path)
    assert done.code == 0, done.stderr
    reply = done.json()
    session_file = Path(reply["session_file"])
    assert session_file == tmp_path / "registry" / "session.json"
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    assert "bearer" in session_file.read_text().lower()
    assert reply["calls_left"] == 1000 and 10 * 3600 - 60 < reply["seconds_left"] <= 10 * 3600


def test_whoami_counts_the_calls_spent_with_the_token(cli: Cli, tmp_path: Path) -> None:
    assert cli("login", "--user", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD, config=tmp_path).code == 0
    assert cli("users", "ls", config=tmp_path).code == 0  # one call (a listing spends one per page)
    who = cli("whoami", "--json", config=tmp_path).json()
    assert who["user"] == ADMIN and who["calls_left"] == 999
    text = cli("whoami", config=tmp_path).stdout
    assert "at most 999 of 1000 calls left" in text and " h " in text
    assert cli("logout", "--json", config=tmp_path).json() == {"logged_out": True}
    assert cli("whoami", config=tmp_path).code == 2


def test_a_command_without_a_login_exits_2(cli: Cli, tmp_path: Path) -> None:
    done = cli("ls", config=tmp_path)
    assert done.code == 2
    assert done.stderr.strip().startswith("error: not logged in to http://127.0.0.1:")


def test_a_refused_login_is_one_line_with_the_request_id_the_gateway_logged(
    script: Cli, client_registry: RegistryStack, tmp_path: Path
) -> None:
    done = script("login", "--user", ADMIN, "--password-stdin", stdin="not the password", config=tmp_path)
    assert done.code == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: 401: ") or line.startswith("error: 403: "), line
    request_id = line.rsplit("(request id ", 1)[1].rstrip(")")
    assert len(request_id) == 32
    assert request_id in (client_registry.workdir / "logs" / "gateway.log").read_text()
    assert not (tmp_path / "registry" / "session.json").exists()


def test_usage_errors_exit_1_and_every_command_has_help(script: Cli, cli: Cli) -> None:
    assert script("ingest", "model").code == 1
    assert script("reset").code == 1, "reset needs --yes"
    for command in ("login", "ingest", "download", "ls", "rate", "lineage", "users add", "webhooks add"):
        shown = cli(*command.split(), "--help")
        assert shown.code == 0 and "--json" in shown.stdout, command
    assert "Exit codes: 0 ok" in " ".join(script("--help").stdout.split())


def test_a_token_out_of_calls_or_time_is_not_sent(cli: Cli, tmp_path: Path) -> None:
    login = ("login", "--user", ADMIN, "--password-stdin")
    assert cli(*login, "--max-calls", "1", stdin=ADMIN_PASSWORD, config=tmp_path).code == 0
    assert cli("users", "ls", config=tmp_path).code == 0
    spent = cli("users", "ls", config=tmp_path)
    assert spent.code == 2 and "has expired: run `registry login` again" in spent.stderr
    assert cli("whoami", config=tmp_path).code == 2
    assert cli(*login, stdin=ADMIN_PASSWORD, config=tmp_path).code == 0
    session_file = tmp_path / "registry" / "session.json"
    stored = json.loads(session_file.read_text())
    stored["issued_at"] = (datetime.now(UTC) - timedelta(hours=10, seconds=1)).isoformat()  # issued 10 h ago
    session_file.write_text(json.dumps(stored))
    assert cli("users", "ls", config=tmp_path).code == 2
