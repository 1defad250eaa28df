"""The benches' shared measuring: budgets, percentiles, failure samples, CPU shares, targets; and the two load
loops built on them (HTTP requests and downloads), driven by in-process fetches instead of a stack."""

import asyncio

import pytest

from bench.cpu import OTHERS
from bench.downloads import DownloadError, DownloadResult, Fetched, run_downloads
from bench.load import Result
from bench.measure import (
    MAX_ERROR_SAMPLES,
    Target,
    cpu_shares,
    find,
    keep_sample,
    percentile,
    ratio,
    spend,
    target_lines,
)
from bench.report import RunInfo, print_report
from bench.scenarios import BARE, GET


async def test_a_budget_is_spent_exactly_by_at_most_that_many_workers_at_once() -> None:
    calls: list[int] = []
    running, most = [0], [0]

    async def one(slot: int) -> None:
        running[0] += 1
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0)
        calls.append(slot)
        running[0] -= 1

    await spend(10, 3, one)
    assert len(calls) == 10 and set(calls) == {0, 1, 2} and most[0] == 3


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50.0, 99.0, 100.0)
    assert percentile([3.0], 0.01) == 3.0
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN


def test_only_the_first_failures_are_quoted() -> None:
    samples: list[str] = []
    for n in range(MAX_ERROR_SAMPLES + 2):
        keep_sample(samples, f"failure {n}")
    assert samples == [f"failure {n}" for n in range(MAX_ERROR_SAMPLES)]


def test_cpu_shares_put_the_busiest_first_the_rest_of_the_machine_last_and_skip_the_idle() -> None:
    shares = cpu_shares({OTHERS: 3.0, "gateway": 1.0, "catalog": 2.0, "nats": 0.001}, 2.0)
    assert shares == f"catalog 100%, gateway 50%, {OTHERS} 150%"
    assert cpu_shares({"gateway": 1.0}, 0.1) == "n/a (under 0.5 s: too short for 10 ms CPU ticks)"


def test_results_are_found_by_scenario_and_compared_to_a_baseline() -> None:
    results = [Result("bare", 1), Result("GET", 64)]
    assert find(results, "GET") is results[1] and find(results, "PUT") is None
    assert ratio(3.0, 4.0) == 0.75 and ratio(1.0, 0.0) != ratio(1.0, 0.0)


def test_targets_read_met_or_miss() -> None:
    lines = target_lines([Target("p99 < 50 ms", True, "12.0 ms"), Target("ratio >= 0.5", False, "0.2 x")])
    assert lines == ["targets:", "  [met ] p99 < 50 ms: 12.0 ms", "  [MISS] ratio >= 0.5: 0.2 x"]


def test_a_result_gives_its_latency_percentiles_in_milliseconds() -> None:
    result = Result("GET", 1, seconds=2.0, latencies=[0.001, 0.002, 0.010])
    assert result.percentile_ms(0.5) == pytest.approx(2.0)
    assert result.throughput == 1.5


async def test_downloads_verify_each_clients_first_good_download_and_count_the_failures() -> None:
    asked: list[tuple[int, bool]] = []
    failing = {0}  # client 0's first download fails: it verifies its next one instead

    async def fetch(slot: int, verify: bool) -> Fetched:
        asked.append((slot, verify))
        await asyncio.sleep(0)  # a real download waits: the other client gets its turn
        if slot in failing:
            failing.discard(slot)
            raise DownloadError("short body")
        return Fetched(100, link_seconds=0.01)

    result = DownloadResult("registry", 2)
    await run_downloads(fetch, 6, 2, result, probe=dict, verify=True)
    assert [verify for slot, verify in asked if slot == 0][:3] == [True, True, False]
    assert [verify for slot, verify in asked if slot == 1][:2] == [True, False]
    assert (result.downloads, result.errors, result.verified, result.bytes_read) == (6, 1, 2, 500)
    assert result.error_samples == ["DownloadError: short body"] and len(result.link_latencies) == 5


def test_the_backbone_report_prints_ratios_to_bare_and_its_targets(capsys: pytest.CaptureFixture[str]) -> None:
    bare = Result(BARE, 64, seconds=1.0, latencies=[0.001] * 1000)
    get = Result(GET, 64, seconds=1.0, latencies=[0.002] * 600, cpu_seconds={"gateway": 0.9})
    print_report(RunInfo("quick", 10, 1000, 2000, 0.1, 1.0, 3), [bare, get])
    printed = capsys.readouterr().out
    assert "0.60x" in printed and "gateway 90%" in printed
    assert "  [met ] GET throughput >= 0.5 x bare: 0.60 x (600 vs 1,000 req/s)" in printed
    assert "  [met ] GET p99 < 50 ms: 2.0 ms" in printed
