"""A PostgreSQL server of the test's own: ``initdb`` in a fresh directory, ``postgres`` on a free port, stopped and
started again by the cluster tests while the registry runs on it. The machine's shared server (``TEST_POSTGRES_URL``)
is never restarted: other suites hold connections to it.

PostgreSQL refuses to run as root, so under root the server runs as the ``postgres`` user (``setpriv``), in a
directory outside pytest's root-only temporary tree.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from stack.processes import free_port, wait_for_port


def _bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")) or [Path(p) for p in [shutil.which(name)] if p]
    if not found:
        raise FileNotFoundError(f"PostgreSQL's {name} is not installed")
    return str(found[-1])


class PrivatePostgres:
    """One server: ``start``, ``stop`` (a fast shutdown, as an operator's restart does), ``url``, ``close``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="registry-pg-"))
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        self._process: subprocess.Popen[bytes] | None = None
        self._log = (self.root / "server.log").open("ab")
        subprocess.run(
            [*self._as_postgres, _bin("initdb"), "-D", str(self.root / "data"), "-U", "postgres", "--auth=trust",
             "--no-sync", "-E", "UTF8"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def url(self, database: str) -> str:
        """The SQLAlchemy (asyncpg) URL of ``database`` on this server."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it listens."""
        self._process = subprocess.Popen(
            [*self._as_postgres, _bin("postgres"), "-D", str(self.root / "data"), "-p", str(self.port),
             "-k", str(self.root), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for_port(self.port, timeout=30)
        deadline = time.monotonic() + 30
        ready = [_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        while subprocess.run(ready, check=False).returncode != 0:  # it listens before it accepts sessions
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL on port {self.port} did not become ready (log: {self.root})")
            time.sleep(0.05)

    def stop(self) -> None:
        """A fast shutdown (SIGINT): open sessions are cut, committed data is kept."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def close(self) -> None:
        """Stop the server and delete its files."""
        self.stop()
        self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)
