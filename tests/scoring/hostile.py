"""What the hostile card examples share: the limits, a secret, examples calling libc by address, and a rater that
runs ``rating_compute`` with the real bubblewrap sandbox and keeps each run, and listeners counting what reaches them.

The tests are ``test_hostile_examples.py`` (the network), ``test_hostile_files.py`` (the scoring process's
environment and data, files outside the run) and ``test_hostile_resources.py`` (processes, memory and time).
"""

import asyncio
import ctypes
import fcntl
import socket
import struct
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from contracts.scoring import MetricNote, RateModel, RatingRef
from contracts.storage import SourceKind, SourceRef
from scoring.adapters.engine import open_rating_engine
from scoring.adapters.model_copy import HubModelCopy
from scoring.adapters.rating_store import SqlRatingStore
from scoring.adapters.sandbox import SandboxLimits, SubprocessSandbox
from scoring.deps import Deps, GatePolicy, Policy
from scoring.evidence.reproduction import SandboxRun
from scoring.evidence.sources import Sources
from scoring.ports import HubModel
from scoring.usecases.rating_compute import rating_compute
from scoring.usecases.rating_read import rating_read
from svckit.upstream import Upstream
from svckit.upstream_client import UpstreamClient
from tests.scoring.fakes import FakeCodeHost, FakeHub, FakePackageBytes, FakeRelatives
from tests.scoring.sandboxes import sandbox

REPO = Path(__file__).resolve().parents[2]
LIMITS = SandboxLimits(wall_seconds=4.0, cpu_seconds=3, memory_bytes=256 << 20, processes=24, disk_bytes=16 << 20)
SECRET = "hostile-corpus-secret-4711"
LIBC = """\
import ctypes, os, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
base = ctypes.cast(libc.getpid, ctypes.c_void_p).value


def by_address(name, restype, *argtypes):
    # libc's function at its offset from getpid: no dlsym, so no audit event the hook could refuse.
    return ctypes.CFUNCTYPE(restype, *argtypes, use_errno=True)(base + OFFSETS[name])


def failed(what):
    error = ctypes.get_errno()
    raise OSError(error, f"{what}: {os.strerror(error)}")


def sockaddr(host, port):
    return struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton(host))
"""


def _offsets() -> dict[str, int]:
    """Where libc's functions lie relative to ``getpid`` (the sandbox maps this very libc)."""
    libc = ctypes.CDLL(None)

    def address(name: str) -> int:
        return int(ctypes.cast(getattr(libc, name), ctypes.c_void_p).value or 0)

    return {name: address(name) - address("getpid") for name in ("connect", "sendto", "fork", "open", "unshare")}


def libc_example(body: str) -> str:
    return LIBC + f"OFFSETS = {_offsets()!r}\n" + body


def host_addresses() -> list[str]:
    """This host's IPv4 addresses other than loopback (an outside host, as seen from the sandbox)."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
            except OSError:
                continue
            address = socket.inet_ntoa(packed[20:24])
            if not address.startswith("127."):
                found.append(address)
    return found


@dataclass
class Recorded:
    """The real sandbox, keeping every run so the tests can look at what the example printed."""

    inner: SubprocessSandbox
    runs: list[SandboxRun] = field(default_factory=list)

    @property
    def unavailable(self) -> str | None:
        return self.inner.unavailable

    async def run(self, code: str, cache: Path | None = None) -> SandboxRun:
        result = await self.inner.run(code, cache)
        self.runs.append(result)
        return result


@dataclass
class Rated:
    """One hostile example's rating: its reproducibility note, the runs, the seconds the rating took."""

    note: MetricNote
    runs: list[SandboxRun]
    seconds: float

    @property
    def output(self) -> str:
        return "".join(run.stdout_tail + run.stderr_tail for run in self.runs)


class Rater:
    def __init__(self, deps: Deps, recorded: Recorded) -> None:
        self.deps, self.recorded = deps, recorded

    async def __call__(self, code: str) -> Rated:
        """Rate a model whose card's example is ``code``; the rating must be produced and stored."""
        self.recorded.runs = []
        artifact_id = uuid.uuid4().hex[:12]
        source = SourceRef(kind=SourceKind.HF_MODEL, repo_id="acme/tiny")
        command = RateModel(artifact_id=artifact_id, name="tiny", source=source, readme=card(code), gate=False)
        started = time.monotonic()
        report = await rating_compute(command, self.deps)
        seconds = time.monotonic() - started
        assert await rating_read(RatingRef(artifact_id=artifact_id), self.deps) == report.rating
        note = next(note for note in report.notes if note.metric == "reproducibility")
        assert note.score == report.rating.reproducibility == 0.0
        return Rated(note, self.recorded.runs, seconds)


def card(code: str) -> str:
    return f"---\nlicense: mit\n---\n# Tiny\n\n## Usage\n\n```python\n{code}```\n"


@asynccontextmanager
async def open_rater(tmp_path: Path) -> AsyncIterator[Rater]:
    """Rates with fakes of the Hub and GitHub, the real SQLite store, the real sandbox and the real model copy."""
    async with aiohttp.ClientSession() as session, open_rating_engine(f"sqlite+aiosqlite:///{tmp_path}/r.db") as db:
        recorded = Recorded(sandbox(LIMITS))
        model = HubModel("acme/tiny", {"license": "mit"}, files=[], commit="0" * 40)
        nowhere = Upstream("http://127.0.0.1:9/hf", "http://127.0.0.1:9/gh")
        code = FakeCodeHost()
        sources = Sources(
            hub=FakeHub(models={"acme/tiny": model}),
            code=code,
            relatives=FakeRelatives(),
            package_bytes=FakePackageBytes(),
            sandbox=recorded,
            inspect=code.inspect,
            model_copy=HubModelCopy(UpstreamClient(session, nowhere), 1 << 20),
        )
        policy = Policy(gate=GatePolicy(metrics=("license",)))
        yield Rater(Deps(store=SqlRatingStore(db), sources=sources, policy=policy), recorded)


@dataclass
class Listeners:
    """A TCP and a UDP listener on every address of this host, counting what reaches them."""

    tcp_port: int
    udp_port: int
    received: list[str]


@asynccontextmanager
async def open_listeners() -> AsyncIterator[Listeners]:
    """A TCP and a UDP listener on every address of this host, closed on exit."""
    received: list[str] = []

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(f"tcp from {writer.get_extra_info('peername')}")
        writer.close()

    class Datagrams(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            received.append(f"udp from {addr}")

    server = await asyncio.start_server(on_connection, "0.0.0.0", 0)
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(Datagrams, local_addr=("0.0.0.0", 0))
    try:
        yield Listeners(server.sockets[0].getsockname()[1], transport.get_extra_info("sockname")[1], received)
    finally:
        transport.close()
        server.close()
        await server.wait_closed()
