"""deploy/nats/nats.conf on the real nats-server: TLS for clients, mutual TLS between nodes, our roles only.

Two nodes run the committed file (only its paths and ports moved into a temporary directory) with certificates from
``deploy/gen_secrets.py tls`` and each role's password in their environment, as compose and k8s run them. Processes
connect as svckit does in production; everyone else is refused.
"""

import asyncio
import contextlib
import json
import secrets
import socket
import ssl
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.msg import Msg

from contracts import subjects
from contracts.bus import ROLES
from stack.natsconf import TLS_DIR, password_variable
from stack.processes import Child, free_port, nats_server_binary, wait_for_port
from svckit.connection import BusAuth, connect
from tests.deploy.manifests import NATS_CONF, run_gen_secrets


@dataclass(frozen=True)
class Node:
    """One running node: its name, ports and process."""

    name: str
    client: int
    monitor: int
    route: int
    child: Child

    @property
    def url(self) -> str:
        """What a process's NATS_URL names (the certificate is for localhost)."""
        return f"tls://localhost:{self.client}"

    def monitoring(self, endpoint: str) -> dict[str, Any]:
        """A monitoring endpoint's JSON (``varz``, ``routez``)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor}/{endpoint}", timeout=5) as response:
            loaded = json.loads(response.read())
        assert isinstance(loaded, dict)
        return loaded

    def route_names(self) -> set[str]:
        """The names of the nodes this one has routes with."""
        return {route["remote_name"] for route in self.monitoring("routez").get("routes") or []}


@dataclass
class Cluster:
    """The running nodes, each role's password, and where the certificates are."""

    workdir: Path
    passwords: dict[str, str]
    tls: Path
    nodes: list[Node]

    def auth(self, role: str) -> BusAuth:
        """A process's credentials as svckit reads them (NATS_USER, NATS_PASSWORD, NATS_TLS_CA)."""
        return BusAuth(user=role, password=self.passwords[role], tls_ca=self.tls / "ca.crt")


def _config(workdir: Path, tls: Path, client: int, monitor: int, route: int) -> str:
    """deploy/nats/nats.conf with its paths and listen addresses moved here; nothing else changed."""
    text = NATS_CONF.read_text()
    moved = {
        f'"{TLS_DIR}/': f'"{tls}/',
        '"/data"': f'"{workdir / "jetstream"}"',
        '"0.0.0.0:4222"': f'"127.0.0.1:{client}"',
        '"0.0.0.0:8222"': f'"127.0.0.1:{monitor}"',
        '"0.0.0.0:6222"': f'"127.0.0.1:{route}"',
    }
    for old, new in moved.items():
        assert old in text, f"deploy/nats/nats.conf no longer has {old}"
        text = text.replace(old, new)
    return text


def _start(workdir: Path, name: str, tls: Path, passwords: dict[str, str], routes: list[int]) -> Node:
    client, monitor, route = free_port(), free_port(), free_port()
    home = workdir / name
    home.mkdir()
    conf = home / "nats.conf"
    conf.write_text(_config(home, tls, client, monitor, route))
    route_urls = ",".join(f"nats-route://localhost:{port}" for port in [route, *routes])
    argv = [nats_server_binary(), f"--config={conf}", f"--server_name={name}", f"--routes={route_urls}"]
    env = {password_variable(role): password for role, password in passwords.items()}
    child = Child(name, argv, env, log_file=workdir / "logs" / f"{name}.log")
    child.start()
    try:
        wait_for_port(client, child=child)
        wait_for_port(monitor, child=child)
    except Exception:
        child.stop()
        raise
    return Node(name, client, monitor, route, child)


def _wait(condition: Any, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("nats-tls")
    tls = workdir / "tls"
    run_gen_secrets("tls", str(tls), "--host", "localhost")
    passwords = {role: f"p{secrets.token_hex(16)}" for role in ROLES}
    first = _start(workdir, "n1", tls, passwords, [])
    nodes = [first]
    try:
        nodes.append(_start(workdir, "n2", tls, passwords, [first.route]))
        _wait(lambda: first.route_names() == {"n2"} and nodes[1].route_names() == {"n1"}, "the route n1-n2")
        yield Cluster(workdir, passwords, tls, nodes)
    finally:
        for node in nodes:
            node.child.stop()


async def test_each_role_connects_over_tls_with_its_own_password(cluster: Cluster) -> None:
    for role in ROLES:
        nc = await connect(cluster.nodes[0].url, f"test-{role}", auth=cluster.auth(role), attempts=1)
        try:
            assert nc.is_connected and nc.connected_server_version.major == 2
            assert nc._server_info["tls_required"] is True
        finally:
            await nc.close()


async def test_requests_cross_the_mutually_authenticated_route(cluster: Cluster) -> None:
    for node in cluster.nodes:
        route_tls = node.monitoring("varz")["cluster"]
        assert route_tls["tls_required"] is True and route_tls["tls_verify"] is True, node.name
    catalog = await connect(cluster.nodes[1].url, "catalog", auth=cluster.auth("catalog"), attempts=1)
    gateway = await connect(cluster.nodes[0].url, "gateway", auth=cluster.auth("gateway"), attempts=1)
    try:

        async def answer(msg: Msg) -> None:
            await msg.respond(b"from n2")

        await catalog.subscribe(subjects.ARTIFACT_GET, queue="catalog", cb=answer)
        await catalog.flush()
        for _ in range(50):
            try:
                reply = await gateway.request(subjects.ARTIFACT_GET, b"{}", timeout=1)
                break
            except nats.errors.NoRespondersError:
                await asyncio.sleep(0.1)  # the subscription reaches n1 through the route
        else:
            pytest.fail("the catalog's subscription never crossed the route")
        assert reply.data == b"from n2"
    finally:
        await gateway.close()
        await catalog.close()


async def _connect_once(url: str, user: str | None, password: str | None, ca: Path) -> None:
    """One connection attempt trusting ``ca``, closed at once if it succeeds."""
    tls = ssl.create_default_context(cafile=str(ca))
    nc = await nats.connect(
        url, user=user, password=password, tls=tls, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2
    )
    await nc.close()


@pytest.mark.parametrize(
    ("user", "password_of"),
    [(None, None), ("catalog", "wrong"), ("catalog", "scoring"), ("nobody", "catalog")],
    ids=["anonymous", "wrong password", "another role's password", "unknown user"],
)
async def test_no_one_else_gets_in(cluster: Cluster, user: str | None, password_of: str | None) -> None:
    password = cluster.passwords.get(password_of or "", password_of)
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await _connect_once(cluster.nodes[0].url, user, password, cluster.tls / "ca.crt")


async def test_a_client_trusting_another_ca_does_not_talk_to_the_servers(cluster: Cluster) -> None:
    other = cluster.workdir / "other-ca"
    run_gen_secrets("tls", str(other), "--host", "localhost")
    with pytest.raises(ssl.SSLCertVerificationError):
        await _connect_once(cluster.nodes[0].url, "catalog", cluster.passwords["catalog"], other / "ca.crt")


def test_a_plaintext_client_is_refused_before_it_can_log_in(cluster: Cluster) -> None:
    with socket.create_connection(("127.0.0.1", cluster.nodes[0].client), timeout=5) as plain:
        info = plain.makefile("rb").readline()
        assert info.startswith(b"INFO ") and json.loads(info[5:])["tls_required"] is True
        login = {"user": "catalog", "pass": cluster.passwords["catalog"], "verbose": False, "pedantic": False}
        plain.sendall(b"CONNECT " + json.dumps(login).encode() + b"\r\nPING\r\n")
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := plain.recv(4096):
                answer += chunk
        assert b"PONG" not in answer, "the server took a password over plaintext"


def test_a_node_whose_certificate_is_not_from_the_ca_cannot_join(cluster: Cluster) -> None:
    stranger_tls = cluster.workdir / "stranger-tls"
    run_gen_secrets("tls", str(stranger_tls), "--host", "localhost")
    first = cluster.nodes[0]
    stranger = _start(cluster.workdir, "stranger", stranger_tls, cluster.passwords, [first.route])
    try:
        log = cluster.workdir / "logs" / f"{first.name}.log"
        _wait(lambda: "TLS route handshake error" in log.read_text(), f"{first.name} refusing the route")
        assert first.route_names() == {"n2"}
        assert stranger.route_names() == set()
    finally:
        stranger.child.stop()
