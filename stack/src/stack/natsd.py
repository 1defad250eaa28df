"""The NATS server the stack starts: JetStream on 127.0.0.1, no anonymous client, one user per role.

Credentials (a random password per role of ``contracts.bus.ROLES``) are generated once into
``<root>/credentials.json`` (mode 0600) and reused on every start; the server's configuration is written to
``<root>/nats.conf`` (mode 0600) from ``contracts.bus.PERMISSIONS``, so the same table decides what each role may
publish and subscribe to here, in the tests and, rendered by ``python -m stack.natsconf``, in ``deploy/``::

    launch = prepare_nats(data_dir / "nats", port=14222)
    supervisor.start(Child("nats", launch.argv), INFRA)
    env = {"NATS_URL": launch.url, **launch.role_env("catalog")}

Rotating the credentials: stop the stack, delete ``credentials.json``, start it again.
"""

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from contracts.bus import PERMISSIONS, ROLES, BusRole
from stack.private import write_private
from stack.processes import nats_server_binary

CREDENTIALS_FILE = "credentials.json"
CONFIG_FILE = "nats.conf"
CLUSTER_NAME = "registry"
ROUTE_USER = "route"  # the nodes of a cluster authenticate each other's routes with a password of their own


@dataclass(frozen=True)
class NatsLaunch:
    """What a supervisor needs to run the server, and each role's connection settings."""

    argv: list[str]
    url: str
    port: int
    passwords: Mapping[str, str] = field(repr=False)

    def role_env(self, role: str) -> dict[str, str]:
        """``NATS_USER`` and ``NATS_PASSWORD`` of ``role`` (a process's environment)."""
        return {"NATS_USER": role, "NATS_PASSWORD": self.passwords[role]}


def quoted(text: str) -> str:
    """A string literal of the nats-server configuration language (JSON's quoting is accepted)."""
    return json.dumps(text)


def render_user(role: BusRole, password: str) -> str:
    """One entry of ``authorization.users``: the role's password (a literal or ``$VAR``) and its permissions."""
    publish = ", ".join(quoted(subject) for subject in role.publish)
    subscribe = ", ".join(quoted(subject) for subject in (*role.subscribe, role.inbox))
    return (
        f"    {{\n      user: {quoted(role.name)}\n      password: {password}\n"
        f"      permissions: {{\n        publish: {{ allow: [{publish}] }}\n"
        f"        subscribe: {{ allow: [{subscribe}] }}\n        allow_responses: true\n      }}\n    }}"
    )


def render_authorization(passwords: Mapping[str, str]) -> str:
    """The ``authorization`` block: every role of ``PERMISSIONS`` with its password expression, nobody else."""
    users = "\n".join(render_user(PERMISSIONS[role], passwords[role]) for role in ROLES)
    return f"authorization {{\n  users = [\n{users}\n  ]\n}}\n"


def render_config(host: str, port: int, store_dir: Path, passwords: Mapping[str, str]) -> str:
    """A whole single-node configuration: listen address, JetStream store, authorization."""
    return (
        f"listen: {quoted(f'{host}:{port}')}\n"
        f"jetstream {{\n  store_dir: {quoted(str(store_dir))}\n}}\n"
        f"{render_authorization({role: quoted(password) for role, password in passwords.items()})}"
    )


def load_passwords(root: Path) -> dict[str, str]:
    """Each role's password from ``root/credentials.json``, generated (mode 0600) for roles it does not hold."""
    path = root / CREDENTIALS_FILE
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if all(role in known for role in ROLES):
        return known
    passwords = {role: known.get(role) or secrets.token_urlsafe(24) for role in ROLES}
    write_private(path, json.dumps(passwords, indent=2))
    return passwords


def prepare_nats(root: Path, port: int, host: str = "127.0.0.1") -> NatsLaunch:
    """Credentials and configuration under ``root`` for a server on ``host:port``; JetStream's data under ``root/jetstream``."""
    root.mkdir(parents=True, exist_ok=True)
    passwords = load_passwords(root)
    config = root / CONFIG_FILE
    write_private(config, render_config(host, port, root, passwords))
    argv = [nats_server_binary(), "-c", str(config)]
    return NatsLaunch(argv=argv, url=f"nats://{host}:{port}", port=port, passwords=passwords)


@dataclass(frozen=True)
class NatsCluster:
    """The nodes of a NATS cluster on one machine (each a ``NatsLaunch``), and the client URL naming them all."""

    nodes: list[NatsLaunch]

    @property
    def url(self) -> str:
        """Every node's client URL, comma-separated: a client connects to any and fails over to the others."""
        return ",".join(node.url for node in self.nodes)

    def role_env(self, role: str) -> dict[str, str]:
        """``NATS_USER`` and ``NATS_PASSWORD`` of ``role`` (the same on every node)."""
        return self.nodes[0].role_env(role)


def render_cluster_node(
    name: str, client: tuple[str, int], route_port: int, peers: list[int], store_dir: Path, secrets_: Mapping[str, str]
) -> str:
    """One node's configuration: its client and route listeners, JetStream store, the routes to its peers (they
    authenticate each other with the route password) and the same authorization as a single node."""
    host, port = client
    route = secrets_[ROUTE_USER]
    routes = ", ".join(quoted(f"nats://{ROUTE_USER}:{route}@{host}:{peer}") for peer in peers)
    passwords = {role: quoted(secrets_[role]) for role in ROLES}
    return (
        f"server_name: {quoted(name)}\nlisten: {quoted(f'{host}:{port}')}\n"
        f"jetstream {{\n  store_dir: {quoted(str(store_dir))}\n}}\n"
        f"cluster {{\n  name: {quoted(CLUSTER_NAME)}\n  listen: {quoted(f'{host}:{route_port}')}\n"
        f"  authorization {{\n    user: {quoted(ROUTE_USER)}\n    password: {quoted(route)}\n  }}\n"
        f"  routes: [{routes}]\n}}\n"
        f"{render_authorization(passwords)}"
    )


def prepare_nats_cluster(
    root: Path, client_ports: list[int], route_ports: list[int], host: str = "127.0.0.1"
) -> NatsCluster:
    """Configurations for a cluster of ``len(client_ports)`` nodes on ``host`` under ``root/node-<n>``; the roles'
    passwords (``root/credentials.json``) and the route password (``root/route-password``), both mode 0600 and
    generated once, are shared by every node."""
    root.mkdir(parents=True, exist_ok=True)
    passwords = load_passwords(root)
    route_file = root / "route-password"
    if not route_file.exists():
        write_private(route_file, secrets.token_urlsafe(24))
    secrets_ = {**passwords, ROUTE_USER: route_file.read_text().strip()}
    nodes = []
    for index, (port, route_port) in enumerate(zip(client_ports, route_ports, strict=True), start=1):
        node_dir = root / f"node-{index}"
        node_dir.mkdir(exist_ok=True)
        peers = [p for p in route_ports if p != route_port]
        config = node_dir / CONFIG_FILE
        write_private(config, render_cluster_node(f"nats-{index}", (host, port), route_port, peers, node_dir, secrets_))
        argv = [nats_server_binary(), "-c", str(config)]
        nodes.append(NatsLaunch(argv=argv, url=f"nats://{host}:{port}", port=port, passwords=passwords))
    return NatsCluster(nodes)
