"""A corpus of hostile card examples, rated through the real path: ``rate_model`` with the real bubblewrap sandbox.

Each example attacks the host the way a stranger publishing a model card would: the network (a TCP listener and a
UDP listener this test opens, on loopback and on this host's other addresses, through ``socket`` and through libc
called by address, which no audit hook sees), the scoring process's environment and data, files outside the run,
and the machine's processes, memory and time. Each attempt must fail and the rating must still be produced, with
reproducibility 0 and the reason. Each test also proves the failure from the outside: the listeners received
nothing, no file appeared, the secret is in no output, the host's process and memory use stayed within the limits,
the run ended on time and left no process behind.
"""

import asyncio
import ctypes
import fcntl
import os
import socket
import struct
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

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
from scoring.usecases.rate_model import rate_model
from scoring.usecases.read_rating import read_rating
from svckit.upstream import Upstream
from svckit.upstream_client import UpstreamClient
from tests.scoring.fakes import FakeCodeHost, FakeHub, FakePackageBytes, FakeRelatives
from tests.scoring.sandboxes import needs_isolation, sandbox, sandbox_processes

pytestmark = needs_isolation
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
        report = await rate_model(command, self.deps)
        seconds = time.monotonic() - started
        assert await read_rating(RatingRef(artifact_id=artifact_id), self.deps) == report.rating
        note = next(note for note in report.notes if note.metric == "reproducibility")
        assert note.score == report.rating.reproducibility == 0.0
        return Rated(note, self.recorded.runs, seconds)


def card(code: str) -> str:
    return f"---\nlicense: mit\n---\n# Tiny\n\n## Usage\n\n```python\n{code}```\n"


@pytest.fixture
async def rate(tmp_path: Path) -> AsyncIterator[Rater]:
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


@pytest.fixture
async def listeners() -> AsyncIterator[Listeners]:
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


def _targets() -> list[str]:
    return ["127.0.0.1", *host_addresses()]


async def test_connecting_through_socket_is_refused(rate: Rater, listeners: Listeners) -> None:
    for host in _targets():
        rated = await rate(f"import socket\nsocket.create_connection(({host!r}, {listeners.tcp_port}), timeout=2)\n")
        assert rated.note.applicable
        assert rated.note.detail == "failed: the example failed: PermissionError"
    await asyncio.sleep(0.2)
    assert listeners.received == []


async def test_connecting_through_libc_by_address_finds_no_network(rate: Rater, listeners: Listeners) -> None:
    for host in _targets():
        body = (
            "connect = by_address('connect', ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)\n"
            "sock = socket.socket()\n"
            f"address = sockaddr({host!r}, {listeners.tcp_port})\n"
            "if connect(sock.fileno(), address, len(address)) != 0:\n"
            "    failed('connect')\n"
            "sock.sendall(b'stolen')\n"
        )
        rated = await rate(libc_example(body))
        # Loopback is the sandbox's own (nothing listens there); any other address has no route.
        assert rated.note.detail in (
            "failed: the example failed: ConnectionRefusedError",
            "failed: the example failed: OSError",
        ), rated.output
    await asyncio.sleep(0.2)
    assert listeners.received == []


async def test_libc_connect_through_dlsym_is_refused(rate: Rater, listeners: Listeners) -> None:
    code = "import _ctypes, ctypes\n_ctypes.dlsym(ctypes.CDLL(None)._handle, 'connect')\n"
    rated = await rate(code)
    assert rated.note.detail == "failed: the example failed: PermissionError"
    assert "ctypes.dlsym/handle of 'connect'" in rated.output
    assert listeners.received == []


async def test_datagrams_to_any_host_go_nowhere(rate: Rater, listeners: Listeners) -> None:
    for host in _targets():
        body = (
            "sendto = by_address('sendto', ctypes.c_ssize_t, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,"
            " ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)\n"
            "sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"address = sockaddr({host!r}, {listeners.udp_port})\n"
            "for _ in range(3):\n"
            "    sent = sendto(sock.fileno(), b'stolen', 6, 0, address, len(address))\n"
            "if sent < 0:\n"
            "    failed('sendto')\n"
            "raise RuntimeError('no answer')\n"
        )
        rated = await rate(libc_example(body))
        assert rated.note.detail in ("failed: the example failed: OSError", "failed: the example failed: RuntimeError")
    await asyncio.sleep(0.3)
    assert listeners.received == []


@pytest.mark.parametrize(
    "code",
    [
        "import socket\nsocket.getaddrinfo('huggingface.co', 443)\n",
        (
            "import ctypes\nresult = ctypes.c_void_p()\n"
            "status = ctypes.CDLL(None).getaddrinfo(b'huggingface.co', b'443', None, ctypes.byref(result))\n"
            "if status != 0:\n    raise OSError(f'getaddrinfo: {status}')\n"
        ),
    ],
)
async def test_names_of_outside_hosts_do_not_resolve(rate: Rater, code: str) -> None:
    rated = await rate(code)
    assert rated.note.detail in ("failed: the example failed: PermissionError", "failed: the example failed: OSError")


@pytest.mark.parametrize("pid", ["os.getppid()", "1", str(os.getpid())])
async def test_the_scoring_process_environment_is_out_of_reach(
    rate: Rater, monkeypatch: pytest.MonkeyPatch, pid: str
) -> None:
    monkeypatch.setenv("SCORING_DATABASE_URL", f"postgresql://scoring:{SECRET}@db/ratings")
    rated = await rate(f"import os\nprint(open(f'/proc/{{{pid}}}/environ', 'rb').read())\n")
    assert rated.note.detail in (
        "failed: the example failed: PermissionError",
        "failed: the example failed: FileNotFoundError",
    )
    assert SECRET not in rated.output


@pytest.fixture
def secret_files(tmp_path: Path) -> Iterator[list[Path]]:
    """A data dir's database and a file in the source checkout, both holding the secret."""
    database = tmp_path / "data" / "scoring" / "ratings.db"
    database.parent.mkdir(parents=True)
    in_checkout = REPO / f".sandbox-secret-{uuid.uuid4().hex}"
    for path in (database, in_checkout):
        path.write_text(SECRET)
        path.chmod(0o644)
    yield [database, in_checkout]
    in_checkout.unlink()


async def test_the_data_dir_and_the_checkout_are_out_of_reach(rate: Rater, secret_files: list[Path]) -> None:
    for path in secret_files:
        rated = await rate(f"print(open({str(path)!r}).read())\n")
        assert rated.note.detail == "failed: the example failed: FileNotFoundError"
        assert SECRET not in rated.output


async def test_nothing_is_written_outside_the_run(rate: Rater) -> None:
    name = f"escaped-{uuid.uuid4().hex}"
    targets = [REPO / name, Path(sys.prefix) / name, Path("/etc") / name, Path("/root") / name]
    for target in targets:
        body = (
            "open_ = by_address('open', ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_int)\n"
            f"if open_({str(target).encode()!r}, os.O_WRONLY | os.O_CREAT, 0o644) < 0:\n"
            "    failed('open')\n"
        )
        rated = await rate(libc_example(body))
        assert rated.note.detail in (
            "failed: the example failed: PermissionError",
            "failed: the example failed: FileNotFoundError",
            "failed: the example failed: OSError",
        ), rated.output
        assert not await asyncio.to_thread(target.exists), target


async def _peak_while(rating: "asyncio.Task[Rated]", measure: Callable[[], int]) -> int:
    """The highest value ``measure()`` took on this host while ``rating`` ran."""
    peak = 0
    while not rating.done():
        peak = max(peak, await asyncio.to_thread(measure))
        await asyncio.sleep(0.02)
    return peak


def _threads() -> int:
    return sum(_status_field(pid, "Threads") for pid in sandbox_processes())


def _memory_kib() -> int:
    return max((_status_field(pid, "VmRSS") for pid in sandbox_processes()), default=0)


def _status_field(pid: int, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def test_a_fork_bomb_stops_at_the_process_cap(rate: Rater) -> None:
    body = (
        "fork = by_address('fork', ctypes.c_int)\n"
        "import time\n"
        "while True:\n"
        "    if fork() < 0:\n"
        "        failed('fork')\n"
        "    time.sleep(0.05)\n"
    )
    rating = asyncio.ensure_future(rate(libc_example(body)))
    peak = await _peak_while(rating, lambda: len(sandbox_processes()))
    rated = await rating
    assert rated.note.detail == "failed: the example failed: BlockingIOError"  # EAGAIN: RLIMIT_NPROC reached
    assert 2 < peak <= LIMITS.processes + 2  # the run's processes, bubblewrap's monitor and init
    await asyncio.sleep(0.2)
    assert await asyncio.to_thread(sandbox_processes) == []


async def test_a_thread_bomb_stops_at_the_process_cap(rate: Rater) -> None:
    code = (
        "import threading, time\nthreading.stack_size(1 << 16)\n"
        "while True:\n    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
    )
    rating = asyncio.ensure_future(rate(code))
    peak = await _peak_while(rating, _threads)
    rated = await rating
    assert rated.note.detail == "failed: the example failed: RuntimeError"  # can't start new thread
    assert peak <= LIMITS.processes + 2


async def test_a_memory_bomb_stops_at_the_memory_limit(rate: Rater) -> None:
    code = "blocks = []\nwhile True:\n    blocks.append(b'x' * (8 << 20))\n"
    rating = asyncio.ensure_future(rate(code))
    peak = await _peak_while(rating, _memory_kib)
    rated = await rating
    assert rated.note.detail == "failed: the example failed: MemoryError"
    assert 0 < peak * 1024 <= LIMITS.memory_bytes


async def test_a_sleep_past_the_time_limit_is_cut_short(rate: Rater) -> None:
    rated = await rate("import time\ntime.sleep(3600)\n")
    assert rated.note.detail.startswith("failed: the example failed: timed out after 4.")
    assert rated.seconds < LIMITS.wall_seconds + 3
    await asyncio.sleep(0.2)
    assert await asyncio.to_thread(sandbox_processes) == []
