"""The hot path table says plainly which targets are missed and which process bounds each."""

import pytest

from bench.cpu import OTHERS
from bench.hotpath_report import Replicas, Target, report
from bench.wrk import WrkResult


def _result(requests: int, p50_ms: float = 5.0, p99_ms: float = 20.0, non_2xx: int = 0) -> WrkResult:
    return WrkResult(requests=requests, seconds=10.0, non_2xx=non_2xx, socket_errors=0, p50_ms=p50_ms, p99_ms=p99_ms)


def test_each_missed_target_is_named_with_the_process_that_bounds_it(capsys: pytest.CaptureFixture[str]) -> None:
    results = {"bare": _result(200_000), "get": _result(50_000), "regex": _result(5_000, p50_ms=60.0)}
    one, two = {"bare": _result(200_000), "get": _result(50_000)}, {"bare": _result(190_000), "get": _result(43_000)}
    replicas = Replicas(one, two, [0.95, 0.88, 0.90])  # each round's two against its bare over one against its
    cpu = {  # CPU seconds over a 10 s round
        "get": {"gateway": 9.4, "services": 2.1, "nats-server": 0.8, OTHERS: 6.0},
        "regex": {"services": 8.0, "gateway": 2.5, OTHERS: 4.0},
        "get2": {"gateway": 6.0, "gateway (7)": 5.9, OTHERS: 7.0},
    }
    targets = [("get", Target(ratio=0.35, p99_ms=50)), ("regex", Target(p50_ms=100))]
    assert report(results, targets, replicas, 3, 10.0, cpu) == 0
    printed = capsys.readouterr().out
    (row,) = [line for line in printed.splitlines() if line.startswith("GET /artifacts/{type}/{id} ")]
    assert row.split()[2:4] == ["5,000", "0.25"]  # req/s over the 10 s round, and the ratio to bare
    assert "≥0.35x p99<50: MISSED ≥0.35x bare" in printed
    assert "p50<100: met" in printed
    assert "0.90x one replica: MISSED (slower)" in printed  # the median of the alternated rounds
    assert "(the median of 3 rounds, each against its bare: 0.95, 0.88, 0.90)" in printed
    (row,) = [line for line in printed.splitlines() if line.startswith("GET /artifacts/{type}/{id}, 1 replica")]
    assert row.split()[4:6] == ["5,000", "0.25"]
    assert (
        "GET /artifacts/{type}/{id}: missed ≥0.35x bare. Bound by gateway at 94% of a core (one process uses one "
        "core at most)" in printed
    )
    assert (
        "GET /artifacts/{type}/{id}, 2 replicas: missed not slower than one replica. Bound by gateway at 60%" in printed
    )
    assert "POST /artifact/byRegEx (new): missed" not in printed


def test_every_target_met_is_said_and_failed_requests_fail_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    results = {"bare": _result(100_000), "get": _result(40_000), "rate": _result(30_000, non_2xx=3)}
    # the machine was slower in the two-replica round: so was bare
    replicas = Replicas(
        {"bare": _result(100_000), "get": _result(40_000)}, {"bare": _result(80_000), "get": _result(34_000)}, [1.06]
    )
    cpu = {"get": {"gateway": 8.0, OTHERS: 2.0}, "rate": {"gateway": 8.0, OTHERS: 2.0}}
    assert report(results, [("get", Target(ratio=0.35)), ("rate", Target())], replicas, 1, 10.0, cpu) == 1
    printed = capsys.readouterr().out
    assert "Every target is met." in printed
    assert "1.06x one replica: not slower: met" in printed


def test_a_second_gateway_is_weighed_against_the_get_target(capsys: pytest.CaptureFixture[str]) -> None:
    results = {"bare": _result(200_000), "get": _result(50_000)}
    replicas = Replicas(results, results, [1.0])
    gateways = {"bare": _result(190_000), "get": _result(70_000)}
    cpu = {"get": {"gateway": 9.4, OTHERS: 6.0}, "getg": {"gateway": 7.0, "gateway (9)": 6.9, OTHERS: 4.0}}
    assert report(results, [("get", Target(ratio=0.35))], replicas, 3, 10.0, cpu, gateways) == 0
    printed = capsys.readouterr().out
    (row,) = [line for line in printed.splitlines() if line.startswith("GET /artifacts/{type}/{id}, 2 gateways")]
    assert row.endswith("1.47x one gateway; GET target met")  # 0.37x its own bare, against 0.25x
    assert "  getg   gateway 70%, gateway (9) 69%" in printed
