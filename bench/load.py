"""The load generator: concurrent aiohttp workers, per-request latencies, and tokens renewed before use-up.

Each worker takes requests from a shared budget until it is spent; a request's latency covers sending it
and reading the whole body. Tokens that could run out during a scenario are renewed (``PUT /authenticate``)
before it starts; a renewal still needed mid-run happens before the request's clock starts.
"""

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from bench.cpu import Probe, delta
from bench.measure import keep_sample, percentile, spend
from bench.servers import ADMIN_NAME, ADMIN_PASSWORD

AUTH_HEADER = "X-Authorization"
JSON_HEADERS = {"Content-Type": "application/json"}
# Logins verify an argon2 hash (tens of ms of CPU each): many at once queue in catalog-svc past the gateway's
# SERVICE_TIMEOUT (504), so renewals go a few at a time.
LOGIN_CONCURRENCY = 4


class LoginFailed(RuntimeError):
    """``PUT /authenticate`` did not return a token."""


@dataclass(frozen=True)
class Call:
    """One HTTP request to send: method, URL and an optional JSON body (already encoded)."""

    method: str
    url: str
    body: bytes | None = None


@dataclass(frozen=True)
class Scenario:
    """What to request, how often, and which statuses count as success."""

    name: str
    make_call: Callable[[random.Random], Call]
    requests: int
    warmup: int
    workers: int
    authenticated: bool = True
    ok_statuses: frozenset[int] = frozenset({200})


@dataclass
class Result:
    """Latencies (seconds) and outcomes of a scenario's timed requests."""

    scenario: str
    workers: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        """Timed requests sent."""
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Requests per second over the timed phase."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        return percentile(self.latencies, fraction) * 1000


class TokenPool:
    """One admin token per worker slot, replaced once it has served ``budget`` requests (tokens allow 1,000)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, budget: int) -> None:
        self._session = session
        self._base_url = base_url
        self._budget = budget
        self._tokens: dict[int, tuple[str, int]] = {}
        self._logging_in = asyncio.Semaphore(LOGIN_CONCURRENCY)
        self.logins = 0

    async def reserve(self, slots: int, uses: int) -> None:
        """Renew, up front, every slot's token that has fewer than ``uses`` uses left (not timed)."""
        needed = min(uses, self._budget)
        stale = [s for s in range(slots) if self._budget - self._tokens.get(s, ("", self._budget))[1] < needed]
        fresh = await asyncio.gather(*(self._login() for _ in stale))
        self._tokens.update({slot: (token, 0) for slot, token in zip(stale, fresh, strict=True)})

    async def token(self, slot: int) -> str:
        """The slot's token, counting one use; a fresh one when the budget is spent."""
        token, uses = self._tokens.get(slot, ("", self._budget))
        if uses >= self._budget:
            token, uses = await self._login(), 0
        self._tokens[slot] = (token, uses + 1)
        return token

    async def _login(self) -> str:
        body = {"user": {"name": ADMIN_NAME, "is_admin": True}, "secret": {"password": ADMIN_PASSWORD}}
        try:
            async with (
                self._logging_in,
                self._session.put(f"{self._base_url}/authenticate", json=body) as response,
            ):
                status, payload = response.status, await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise LoginFailed(f"PUT /authenticate failed: {type(error).__name__}: {error}") from error
        if status != 200 or not isinstance(payload, str):
            raise LoginFailed(f"PUT /authenticate answered {status}: {payload!r}")
        self.logins += 1
        return payload


async def run_scenario(
    session: aiohttp.ClientSession, scenario: Scenario, tokens: TokenPool | None, seed: int, probe: Probe
) -> Result:
    """Warm up (untimed), then send ``scenario.requests`` requests from ``scenario.workers`` workers."""
    warm = Result(scenario.name, scenario.workers)
    if tokens is not None and scenario.authenticated:
        share = math.ceil((scenario.warmup + scenario.requests) / scenario.workers)
        await tokens.reserve(scenario.workers, 2 * share)
    await _phase(session, scenario, tokens, scenario.warmup, warm, seed)
    result = Result(scenario.name, scenario.workers)
    cpu_before = probe()
    started = time.perf_counter()
    await _phase(session, scenario, tokens, scenario.requests, result, seed + 1)
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = delta(cpu_before, probe())
    return result


async def _phase(
    session: aiohttp.ClientSession,
    scenario: Scenario,
    tokens: TokenPool | None,
    count: int,
    result: Result,
    seed: int,
) -> None:
    rngs = [random.Random(seed * 1000 + slot) for slot in range(scenario.workers)]

    async def one(slot: int) -> None:
        call = scenario.make_call(rngs[slot])
        headers = dict(JSON_HEADERS) if call.body is not None else {}
        if scenario.authenticated and tokens is not None:
            headers[AUTH_HEADER] = await tokens.token(slot)
        await _send(session, call, headers, scenario.ok_statuses, result)

    await spend(count, scenario.workers, one)


async def _send(
    session: aiohttp.ClientSession, call: Call, headers: dict[str, str], ok: frozenset[int], result: Result
) -> None:
    started = time.perf_counter()
    failure: str | None = None
    try:
        async with session.request(call.method, call.url, data=call.body, headers=headers) as response:
            body = await response.read()
            result.statuses[response.status] += 1
            if response.status not in ok:
                failure = f"{call.method} {call.url} -> {response.status}: {body[:200]!r}"
    except (aiohttp.ClientError, TimeoutError) as error:
        result.statuses[0] += 1
        failure = f"{call.method} {call.url} -> {type(error).__name__}: {error}"
    result.latencies.append(time.perf_counter() - started)
    if failure is not None:
        result.errors += 1
        keep_sample(result.error_samples, failure)
