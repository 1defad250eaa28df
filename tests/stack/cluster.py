"""``python -m stack --cluster`` for the fault tests: the running cluster, and a steady load of reads and writes
from several client threads, each answer's time and status kept to measure a fault's disruption."""

import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stack.ports import in_use
from stack.processes import Child, wait_for_port
from tests.api import ADMIN, ADMIN_PASSWORD
from tests.stack.http import call

SERVICES = ("catalog", "storage", "lineage", "scoring", "webhooks")
PROCESS = {"catalog": "catalog-svc", "storage": "storage-svc", "lineage": "lineage-svc", "scoring": "scoring-svc",
           "webhooks": "webhook-svc"}  # fmt: skip
LOGIN = {"user": {"name": ADMIN, "is_admin": True}, "secret": {"password": ADMIN_PASSWORD}}
CALLS_PER_TOKEN = 500  # of the 1,000 a token allows (a request sent again spends two)
RESENDS = 3  # times a client sends an idempotent request again after a cut connection
RESEND_PAUSE = 0.2


def free_run(count: int = 1) -> int:
    """The first of ``count`` consecutive free ports, below the kernel's ephemeral range (32768 and up), so no
    outgoing connection of the many this cluster opens can take one between this check and its server's bind."""
    for _ in range(200):
        first = random.randrange(20_000, 32_000)
        if not any(in_use(first + i) for i in range(count)):
            return first
    raise RuntimeError("no run of free ports")


def cluster_env(data_dir: Path, database_url: str, mirror_url: str) -> dict[str, str]:
    """Everything ``python -m stack --cluster`` needs to run beside other tests: free ports, its data directory,
    its database, and the upstream mirror."""
    return {
        "REGISTRY_DATA_DIR": str(data_dir),
        "REGISTRY_DATABASE_URL": database_url,
        "REGISTRY_NATS_PORT": str(free_run(3)),
        "REGISTRY_NATS_ROUTE_PORT": str(free_run(3)),
        "GATEWAY_PORT": str(free_run()),
        **{name: str(free_run()) for name in ("UI_PORT", "REGISTRY_S3_PORT", "STORAGE_HTTP_PORT")},
        **{f"{service.upper()}_METRICS_PORT": str(free_run()) for service in SERVICES},
        "HF_ENDPOINT": f"{mirror_url}/hf",
        "GITHUB_API_URL": f"{mirror_url}/gh",
        "STORAGE_MAX_FILE_BYTES": str(200 << 20),  # the made-up orchard-base's 94 MB of weights are copied
        "LOG_FORMAT": "json",
    }


@dataclass
class Cluster:
    """One ``python -m stack --cluster`` process (its supervisor) and its log."""

    env: dict[str, str]
    log: Path
    child: Child | None = None

    @property
    def gateway_port(self) -> int:
        return int(self.env["GATEWAY_PORT"])

    def start(self) -> "Cluster":
        self.child = Child("cluster", [sys.executable, "-m", "stack", "--cluster"], self.env, log_file=self.log)
        self.child.start()
        try:
            wait_for_port(self.gateway_port, timeout=90, child=self.child)
            self.until(lambda: self.replicas() == dict.fromkeys(SERVICES, 2), 90, "every service has its two replicas")
        except BaseException:
            self.stop()  # nothing of a cluster that did not come up outlives the test
            raise
        return self

    def stop(self) -> None:
        """SIGTERM to the supervisor, which stops every process in turn."""
        if self.child is not None:
            self.child.stop(timeout=60)

    def call(
        self,
        method: str,
        path: str,
        body: object = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, object]:
        return call(self.gateway_port, method, path, body, token, headers)

    def login(self) -> str:
        status, token = self.call("PUT", "/authenticate", LOGIN)
        assert status == 200 and isinstance(token, str), (status, token)
        return token

    def pid(self, name: str) -> int:
        found = [line for line in self.log.read_text().splitlines() if f"started {name} (pid " in line]
        return int(found[-1].rsplit("(pid ", 1)[1].rstrip(")"))

    def replicas(self) -> dict[str, int]:
        status, report = self.call("GET", "/health/components")
        if status != 200 or not isinstance(report, dict):
            return {}
        counted = {c["id"]: int(c["metrics"]["replicas"]) for c in report["components"] if "replicas" in c["metrics"]}
        return {service: counted.get(service, 0) for service in SERVICES}

    @staticmethod
    def until(check: Callable[[], object], timeout: float, what: str) -> float:
        """Wait until ``check()`` is true; the seconds it took."""
        started = time.monotonic()
        while not check():
            assert time.monotonic() - started < timeout, f"not within {timeout} s: {what}"
            time.sleep(0.1)
        return time.monotonic() - started


@dataclass(frozen=True)
class Answer:
    at: float
    kind: str  # "read" or "write"
    status: int
    seconds: float


@dataclass
class Load:
    """``clients`` threads, each sending reads across every service and a user creation in turn, one after the
    other. A request the connection to the gateway failed under (a gateway killed mid-call) is sent again, as any
    HTTP client retries an idempotent request: a read, or a user creation, which carries an ``Idempotency-Key``.
    Each client logs in again before its token's calls run out."""

    cluster: Cluster
    model_id: str
    clients: int = 4
    answers: list[Answer] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    resent: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    def __enter__(self) -> "Load":
        for client in range(self.clients):
            self._threads.append(threading.Thread(target=self._run, args=(client,), daemon=True))
            self._threads[-1].start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _reads(self) -> list[tuple[str, str, object]]:
        model = self.model_id
        return [
            ("POST", "/artifacts?offset=0", [{"name": "*"}]),  # catalog
            ("GET", f"/artifacts/model/{model}", None),  # catalog
            ("GET", f"/artifact/model/{model}/rate", None),  # scoring
            ("GET", f"/artifact/model/{model}/lineage", None),  # lineage
            ("GET", f"/artifacts/model/{model}/package", None),  # catalog, then storage
            ("GET", "/webhooks", None),  # webhooks
        ]

    def _run(self, client: int) -> None:
        index = 0
        reads = self._reads()
        token = self._login()
        while not self.stop.is_set():
            index += 1
            if index % CALLS_PER_TOKEN == 0:
                token = self._login()
            started = time.monotonic()
            if index % 3:
                method, path, body = reads[(index + client) % len(reads)]
                status = self._send(method, path, body, token)
                self.answers.append(Answer(started, "read", status, time.monotonic() - started))
            else:
                name = f"steady-{self._run_id}-{client}-{index}"
                body = {"name": name, "password": "steady-password-1", "permissions": ["search"]}
                status = self._send("POST", "/users", body, token, {"Idempotency-Key": name})
                self.answers.append(Answer(started, "write", status, time.monotonic() - started))
                if status == 201:
                    self.created.append(name)
            time.sleep(0.01)

    def _send(self, method: str, path: str, body: object, token: str, headers: dict[str, str] | None = None) -> int:
        """The status of an idempotent request, sent again (up to ``RESENDS`` times, ``RESEND_PAUSE`` apart) while
        the connection to the gateway fails: a connection the dying gateway's socket still took fails too."""
        status, _ = self.cluster.call(method, path, body, token, headers)
        for _ in range(RESENDS):
            if status != 0:
                break
            self.resent += 1
            time.sleep(RESEND_PAUSE)
            status, _ = self.cluster.call(method, path, body, token, headers)
        return status

    def _login(self) -> str:
        """A fresh token, asked for until one is given (a login may meet a fault too; it is not a measured call)."""
        while True:
            status, token = self.cluster.call("PUT", "/authenticate", LOGIN)
            if status == 200 and isinstance(token, str):
                return token
            time.sleep(0.2)

    def by_fault(self, faults: list[tuple[str, float]]) -> dict[str, list[Answer]]:
        """The answers to the requests each fault may have touched: a request in flight when faults happened belongs
        to the first of them (a write its replica took when it died waits out its timeout over the next faults),
        one sent after a fault (and before the next) to that fault."""
        found: dict[str, list[Answer]] = {name: [] for name, _ in faults}
        for answer in self.answers:
            end = answer.at + answer.seconds
            during = [(at, name) for name, at in faults if answer.at <= at <= end]
            before = [(at, name) for name, at in faults if at < answer.at]
            if during:
                found[min(during)[1]].append(answer)
            elif before:
                found[max(before)[1]].append(answer)
        return found

    def window(self, since: float, until: float) -> list[Answer]:
        """The answers to requests in flight at ``since`` or sent before ``until``."""
        return [a for a in self.answers if a.at < until and a.at + a.seconds >= since]


@dataclass(frozen=True)
class Disruption:
    """What one fault cost: failed reads and writes (by status), the slowest answer, and how long after the fault
    the last failed answer came."""

    failed_reads: dict[int, int]
    failed_writes: dict[int, int]
    slowest: float
    last_failure_after: float

    @staticmethod
    def of(answers: list[Answer], fault_at: float) -> "Disruption":
        def failed(kind: str, ok: int) -> dict[int, int]:
            counts: dict[int, int] = {}
            for answer in answers:
                if answer.kind == kind and answer.status != ok:
                    counts[answer.status] = counts.get(answer.status, 0) + 1
            return counts

        failures = [a for a in answers if a.status not in (200, 201)]
        return Disruption(
            failed_reads=failed("read", 200),
            failed_writes=failed("write", 201),
            slowest=round(max((a.seconds for a in answers), default=0.0), 2),
            last_failure_after=round(max((a.at + a.seconds - fault_at for a in failures), default=0.0), 2),
        )
