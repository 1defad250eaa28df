"""The NATS server the stack starts: JetStream on 127.0.0.1, no anonymous client, one user per role.

Credentials (a random password per role of ``contracts.bus.ROLES``) are generated once into
``<root>/credentials.json`` (mode 0600) and reused on every start; the server's configuration is written to
``<root>/nats.conf`` (mode 0600) from ``contracts.bus.PERMISSIONS``, so the same table decides what each role may
publish and subscribe to here, in the tests and, rendered by ``python -m stack.natsconf``, in ``deploy/``::

    launch = prepare_nats(data_dir / "nats", port=14222)
    supervisor.start(Child("nats", launch.argv))
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
