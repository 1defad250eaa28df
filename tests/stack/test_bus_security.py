"""The bus ``make run`` starts lets in only our own processes, each only where its role belongs.

One ``python -m stack`` runs for the module; every attempt below is made with real credentials read from its data
dir (what a process of that role, or a stranger holding its password, could do) and proven harmless from the
outside: no user appears, nothing is reset, no reply or password is seen, the registry keeps answering.
"""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path

import pytest
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from contracts import subjects
from contracts.bus import GATEWAY, ROLES, inbox_prefix
from stack.natsd import CREDENTIALS_FILE
from svckit.connection import BusAuth, BusRefused, connect
from tests.api import ADMIN, ADMIN_PASSWORD
from tests.stack.test_make_run import Run

SERVICES = [role for role in ROLES if role != GATEWAY]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    started = Run(tmp_path_factory.mktemp("bus")).start()
    yield started
    started.child.stop()


def _passwords(run: Run) -> dict[str, str]:
    passwords: dict[str, str] = json.loads((run.workdir / "data" / "nats" / CREDENTIALS_FILE).read_text())
    return passwords


class Connection:
    """A connection as one role, collecting the server's asynchronous errors (permission violations)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.nc = NATS()

    async def open(self, run: Run, role: str) -> "Connection":
        async def on_error(error: Exception) -> None:
            self.errors.append(str(error))

        await self.nc.connect(
            f"nats://127.0.0.1:{run.nats_port}",
            user=role,
            password=_passwords(run)[role],
            inbox_prefix=inbox_prefix(role),
            error_cb=on_error,
            allow_reconnect=False,
        )
        return self

    async def violations(self) -> list[str]:
        """The permission violations the server reported so far (after a round trip), in lower case as nats-py
        reports them."""
        await self.nc.flush()
        await asyncio.sleep(0.2)
        return [error for error in self.errors if "permissions violation" in error]


ConnectAs = Callable[[str], Awaitable[Connection]]


@pytest.fixture
async def connect_as(stack: Run) -> AsyncIterator[ConnectAs]:
    opened: list[Connection] = []

    async def open_as(role: str) -> Connection:
        connection = await Connection().open(stack, role)
        opened.append(connection)
        return connection

    yield open_as
    for connection in opened:
        await connection.nc.close()


def _token(run: Run) -> str:
    status, token = run.call(
        "PUT", "/authenticate", {"user": {"name": ADMIN, "is_admin": True}, "secret": {"password": ADMIN_PASSWORD}}
    )
    assert status == 200 and isinstance(token, str)
    return token


def _user_names(run: Run) -> list[str]:
    status, users = run.call("GET", "/users", None, _token(run))
    assert status == 200 and isinstance(users, list)
    return sorted(user["name"] for user in users)


def _handshake(port: int, connect: Mapping[str, object]) -> str:
    """What the server answers a client that sends ``CONNECT connect`` and a PING (the NATS wire protocol)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        reader = conn.makefile("rb")
        assert reader.readline().startswith(b"INFO ")
        conn.sendall(b"CONNECT " + json.dumps({"verbose": False, **connect}).encode() + b"\r\nPING\r\n")
        return reader.readline().decode().strip()


def test_an_anonymous_client_and_a_wrong_password_are_refused(stack: Run) -> None:
    assert _handshake(stack.nats_port, {}) == "-ERR 'Authorization Violation'"
    wrong = {"user": subjects.CATALOG, "pass": "guess"}
    assert _handshake(stack.nats_port, wrong) == "-ERR 'Authorization Violation'"
    right = {"user": subjects.CATALOG, "pass": _passwords(stack)[subjects.CATALOG]}
    assert _handshake(stack.nats_port, right) == "PONG"


@pytest.mark.parametrize("role", SERVICES)
async def test_a_service_cannot_create_an_admin_or_reset_the_registry(
    stack: Run, connect_as: ConnectAs, role: str
) -> None:
    before = _user_names(stack)
    connection = await connect_as(role)
    forged = {"name": f"mallory-{role}", "password": "mallory-password", "permissions": [], "is_admin": True}
    await connection.nc.publish(subjects.USER_CREATE, json.dumps(forged).encode(), reply=f"{inbox_prefix(role)}.x")
    for service in subjects.RESETTABLE_SERVICES:
        await connection.nc.publish(subjects.reset_subject(service), b"{}", reply=f"{inbox_prefix(role)}.x")
    violations = await connection.violations()
    assert any(subjects.USER_CREATE in v for v in violations), violations
    for service in subjects.RESETTABLE_SERVICES:
        assert any(subjects.reset_subject(service) in v for v in violations), violations
    assert _user_names(stack) == before


@pytest.mark.parametrize("role", [role for role in ROLES if role != subjects.CATALOG])
async def test_only_the_catalog_hears_logins_and_lease_requests(stack: Run, connect_as: ConnectAs, role: str) -> None:
    connection = await connect_as(role)
    heard: list[Msg] = []

    async def keep(msg: Msg) -> None:
        heard.append(msg)

    await connection.nc.subscribe(subjects.AUTH_LOGIN, cb=keep)
    await connection.nc.subscribe(subjects.AUTH_LEASE, cb=keep)
    await connection.nc.subscribe("catalog.>", cb=keep)
    await connection.nc.subscribe(">", cb=keep)
    violations = await connection.violations()
    assert len([v for v in violations if "subscription" in v]) == 4, violations
    token = _token(stack)  # a login, then a lease of the token's uses, both on the bus
    assert stack.call("POST", "/artifacts", [{"name": "*"}], token)[0] == 200
    await asyncio.sleep(0.2)
    assert heard == []


@pytest.mark.parametrize("role", SERVICES)
async def test_nobody_but_a_responder_can_answer_into_the_gateways_inbox(
    stack: Run, connect_as: ConnectAs, role: str
) -> None:
    connection = await connect_as(role)
    heard: list[Msg] = []

    async def keep(msg: Msg) -> None:
        heard.append(msg)

    await connection.nc.subscribe(f"{inbox_prefix(GATEWAY)}.>", cb=keep)
    forged_lease = {"granted": 1000, "principal": {"name": "mallory", "is_admin": True, "permissions": []}}
    await connection.nc.publish(f"{inbox_prefix(GATEWAY)}.forged.1", json.dumps(forged_lease).encode())
    violations = await connection.violations()
    assert any("subscription" in v and inbox_prefix(GATEWAY).lower() in v for v in violations), violations
    assert any("publish" in v and inbox_prefix(GATEWAY).lower() in v for v in violations), violations
    assert stack.call("POST", "/artifacts", [{"name": "*"}], _token(stack))[0] == 200
    assert heard == []


async def test_the_gateway_cannot_answer_service_subjects_or_publish_service_events(
    stack: Run, connect_as: ConnectAs
) -> None:
    connection = await connect_as(GATEWAY)
    await connection.nc.subscribe(subjects.AUTH_LEASE)
    await connection.nc.publish(subjects.AUTH_REVOKED, b"{}")
    await connection.nc.publish(subjects.COPY_JOB, b"{}")
    await connection.nc.publish(subjects.RATING_COMPUTE, b"{}")
    violations = await connection.violations()
    assert any("subscription" in v and subjects.AUTH_LEASE in v for v in violations), violations
    for subject in (subjects.AUTH_REVOKED, subjects.COPY_JOB, subjects.RATING_COMPUTE):
        assert any("publish" in v and subject in v for v in violations), (subject, violations)


def test_credentials_and_server_config_are_private_files(stack: Run) -> None:
    for name in (CREDENTIALS_FILE, "nats.conf"):
        path = Path(stack.workdir / "data" / "nats" / name)
        assert path.stat().st_mode & 0o777 == 0o600, name


async def test_a_process_with_a_wrong_password_stops_at_once_naming_its_role(stack: Run) -> None:
    auth = BusAuth(user=subjects.SCORING, password="not-the-password")
    with pytest.raises(BusRefused, match="refused user 'scoring'"):
        await asyncio.wait_for(connect(f"nats://127.0.0.1:{stack.nats_port}", "wrong", auth=auth), 10)
