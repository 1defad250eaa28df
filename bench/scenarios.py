"""The benchmark's scenarios, built from the seeded artifacts and the servers' URLs."""

import json
import random
from collections.abc import Callable

from bench.config import REGEX_PATTERNS, BenchConfig
from bench.load import Call, Scenario
from contracts.artifacts import ArtifactType

BARE = "bare aiohttp GET (baseline)"
GET = "GET /artifacts/{type}/{id}"
LIST = "POST /artifacts (1 page)"
REGEX = "POST /artifact/byRegEx"
REGEX_SERIAL = "POST /artifact/byRegEx, 1 worker"
REGEX_COLD = "POST /artifact/byRegEx, uncached"
REGEX_COLD_SERIAL = "POST /artifact/byRegEx, uncached, 1 worker"
LIST_BODY = json.dumps([{"name": "*"}]).encode()
REGEX_BODIES = tuple(json.dumps({"regex": pattern}).encode() for pattern in REGEX_PATTERNS)
SERIAL_SHARE = 0.1


def build(config: BenchConfig, keys: list[tuple[ArtifactType, str]], gateway_url: str, bare_url: str) -> list[Scenario]:
    """Baseline first, then the gateway scenarios from lightest to heaviest."""
    warm, workers = config.warmup, config.workers
    serial = max(len(REGEX_PATTERNS), int(config.regex_requests * SERIAL_SHARE))
    return [
        Scenario(BARE, _get(bare_url, keys), config.bare_requests, warm, workers, authenticated=False),
        Scenario(GET, _get(gateway_url, keys), config.get_requests, warm, workers),
        Scenario(LIST, _fixed("POST", f"{gateway_url}/artifacts", LIST_BODY), config.list_requests, warm, workers),
        Scenario(
            REGEX,
            _regex(f"{gateway_url}/artifact/byRegEx"),
            config.regex_requests,
            min(warm, workers),
            workers,
            ok_statuses=frozenset({200, 404}),
        ),
        Scenario(
            REGEX_SERIAL,
            _regex(f"{gateway_url}/artifact/byRegEx"),
            serial,
            len(REGEX_PATTERNS),
            1,
            ok_statuses=frozenset({200, 404}),
        ),
        Scenario(
            REGEX_COLD,
            _unique_regex(f"{gateway_url}/artifact/byRegEx"),
            max(workers, config.regex_requests // 3),
            0,
            workers,
            ok_statuses=frozenset({200, 404}),
        ),
        Scenario(
            REGEX_COLD_SERIAL,
            _unique_regex(f"{gateway_url}/artifact/byRegEx"),
            serial,
            0,
            1,
            ok_statuses=frozenset({200, 404}),
        ),
    ]


def _get(base_url: str, keys: list[tuple[ArtifactType, str]]) -> Callable[[random.Random], Call]:
    def make(rng: random.Random) -> Call:
        kind, identifier = rng.choice(keys)
        return Call("GET", f"{base_url}/artifacts/{kind.value}/{identifier}")

    return make


def _fixed(method: str, url: str, body: bytes) -> Callable[[random.Random], Call]:
    def make(_: random.Random) -> Call:
        return Call(method, url, body)

    return make


def _regex(url: str) -> Callable[[random.Random], Call]:
    def make(rng: random.Random) -> Call:
        return Call("POST", url, rng.choice(REGEX_BODIES))

    return make


def _unique_regex(url: str) -> Callable[[random.Random], Call]:
    """A pattern never sent before, so the catalog's per-revision result cache cannot answer it."""

    def make(rng: random.Random) -> Call:
        pattern = f"(?i)transformer.*checkpoint-{rng.randrange(10**12)}"
        return Call("POST", url, json.dumps({"regex": pattern}).encode())

    return make
