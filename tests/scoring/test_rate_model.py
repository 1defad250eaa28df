"""rating_compute and the tree refresh on fakes of the upstream ports and the real SQLite rating store."""

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from contracts.errors import ErrorCode, ServiceFailure
from contracts.scoring import ModelRating, RateModel, RatingRef
from contracts.storage import SourceKind, SourceRef
from scoring.adapters.engine import open_rating_engine
from scoring.adapters.rating_store import SqlRatingStore
from scoring.deps import Deps, GatePolicy, Policy
from scoring.domain.code_quality import CodeFacts
from scoring.domain.dataset_quality import DatasetCard
from scoring.domain.reviewedness import PullRequest
from scoring.evidence.sources import Sources
from scoring.ports import HubModel
from scoring.usecases.rating_compute import rating_compute
from scoring.usecases.rating_forget import rating_forget
from scoring.usecases.rating_read import rating_read
from scoring.usecases.rating_report import rating_report
from tests.scoring.fakes import (
    FakeCodeHost,
    FakeHub,
    FakeInspection,
    FakePackageBytes,
    FakeRelatives,
    FakeSandbox,
)
from tests.stores import MigratedStores

GOOD_CARD = """---
license: apache-2.0
datasets: [acme/corpus]
---
# Good model

Code: https://github.com/acme/good-model

## Installation

```bash
pip install good-model
```

## Usage

```python
print("hello")
```

| task | accuracy |
|---|---|
| glue | 91.2 |
| squad | 88.5 |

See https://arxiv.org/abs/1810.04805 for details.
"""
DATASET_CARD = DatasetCard(
    text="# Dataset Card\n## Dataset Description\n## Dataset Structure\n## Source Data\n## Bias\n## Citation\n```py\nx\n```",
    card_data={"license": "cc-by-4.0", "size_categories": ["10K<n<100K"]},
)
GOOD_REPO = (
    [40, 30, 20, 10, 5, 5],
    [PullRequest(lines_added=600, had_review=True), PullRequest(lines_added=100, had_review=False)],
    FakeInspection(CodeFacts(True, True, True, True, lint_issues=2, python_lines=1000), total_lines=1000),
)


def _hub(delay: float = 0.0) -> FakeHub:
    return FakeHub(
        models={
            "acme/good": HubModel(
                "acme/good", {"license": "apache-2.0", "datasets": ["acme/corpus"]}, [("a.safetensors", 400_000_000)]
            ),
            "acme/bare": HubModel("acme/bare", {}, [("pytorch_model.bin", 17_000_000)]),
            "acme/child": HubModel("acme/child", {}, [("model.onnx", 1000)]),
        },
        cards={"acme/good": GOOD_CARD, "acme/bare": "", "acme/child": "# child\n"},
        datasets={"acme/corpus": DATASET_CARD},
        delay=delay,
    )


@pytest.fixture
async def deps(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async with migrated.open(open_rating_engine, tmp_path / "ratings.db") as engine:
        code = FakeCodeHost(repos={"acme/good-model": GOOD_REPO})
        sources = Sources(
            hub=_hub(),
            code=code,
            relatives=FakeRelatives(),
            package_bytes=FakePackageBytes({"up1": 3_000_000_000}),
            sandbox=FakeSandbox(),
            inspect=code.inspect,
        )
        yield Deps(store=SqlRatingStore(engine), sources=sources, policy=Policy(gate=GatePolicy(metrics=("license",))))


def _command(artifact_id: str, repo: str, gate: bool = True) -> RateModel:
    source = SourceRef(kind=SourceKind.HF_MODEL, repo_id=repo)
    return RateModel(artifact_id=artifact_id, name=repo.split("/")[1], source=source, gate=gate)


def _in_unit_range(rating: ModelRating) -> None:
    for name, value in rating.model_dump().items():
        if isinstance(value, float):
            assert 0 <= value <= 1 or name.endswith("_latency"), name


async def test_a_documented_reviewed_model_outranks_an_undocumented_one(deps: Deps) -> None:
    good = await rating_compute(_command("g1", "acme/good"), deps)
    bare = await rating_compute(_command("b1", "acme/bare", gate=False), deps)
    _in_unit_range(good.rating)
    assert good.rating.net_score > 0.7 > 0.2 > bare.rating.net_score
    assert good.rating.license == 1.0 and good.rating.reproducibility == 1.0
    assert good.rating.bus_factor == 0.25  # 40 + 30 of 110 commits: two people make half
    assert good.rating.reviewedness == 0.6
    assert good.rating.dataset_quality == 1.0 and good.rating.dataset_and_code_score == 1.0
    assert bare.rating.license == 0.0 and bare.rating.ramp_up_time == 0.0
    assert good.rating.size_score.raspberry_pi == 1.0
    assert (await rating_read(RatingRef(artifact_id="g1"), deps)) == good.rating


async def test_the_gate_refuses_without_storing_and_names_the_failing_metric(deps: Deps) -> None:
    report = await rating_compute(_command("b1", "acme/bare"), deps)
    assert report.gated == ["license"] and report.gate_failures == ["license"]
    with pytest.raises(ServiceFailure) as missing:
        await rating_read(RatingRef(artifact_id="b1"), deps)
    assert missing.value.code is ErrorCode.NOT_FOUND


async def test_the_seed_policy_gates_only_metrics_the_model_has_evidence_for(deps: Deps) -> None:
    deps.policy = Policy(gate=GatePolicy())
    report = await rating_compute(_command("c1", "acme/child"), deps)
    notes = {note.metric: note for note in report.notes}
    assert "bus_factor" not in report.gated and not notes["bus_factor"].applicable
    assert "dataset_quality" not in report.gated and "tree_score" not in report.gated
    assert {"license", "ramp_up_time", "performance_claims"} <= set(report.gate_failures)


async def test_metrics_run_concurrently_and_share_each_fetch(deps: Deps) -> None:
    hub = _hub(delay=0.2)
    code = FakeCodeHost(repos={"acme/good-model": GOOD_REPO}, delay=0.2)
    deps.sources = Sources(hub, code, FakeRelatives(), FakePackageBytes(), FakeSandbox(delay=0.2), code.inspect)
    started = time.perf_counter()
    report = await rating_compute(_command("g1", "acme/good"), deps)
    elapsed = time.perf_counter() - started
    # The longest chain is card → repository → archive/contributors (3 x 0.2 s); sequential would take >= 2.4 s.
    assert elapsed < 1.5
    assert hub.calls.counts == {"model": 1, "card": 1, "dataset": 1}
    assert code.calls.counts == {"repository": 1, "contributors": 1, "pulls": 1, "archive": 1}
    assert report.rating.net_score_latency >= max(report.rating.bus_factor_latency, report.rating.license_latency)


async def test_an_unreachable_source_fails_the_ingest_with_502_naming_the_metrics(deps: Deps) -> None:
    deps.sources.hub.down = True  # type: ignore[attr-defined]
    with pytest.raises(ServiceFailure) as failed:
        await rating_compute(_command("g1", "acme/good"), deps)
    assert failed.value.code is ErrorCode.UPSTREAM_FAILED
    assert "license" in failed.value.message and "Hugging Face is unreachable" in failed.value.message


async def test_on_update_a_failed_metric_is_stored_and_rate_answers_500_naming_it(deps: Deps) -> None:
    await rating_compute(_command("g1", "acme/good"), deps)
    deps.sources.hub.down = True  # type: ignore[attr-defined]
    with pytest.raises(ServiceFailure):
        await rating_compute(_command("g1", "acme/good", gate=False), deps)
    with pytest.raises(ServiceFailure) as failed:
        await rating_read(RatingRef(artifact_id="g1"), deps)
    assert failed.value.code is ErrorCode.INTERNAL and "license" in failed.value.message


async def test_tree_score_follows_the_lineage_both_ways(deps: Deps) -> None:
    relatives = FakeRelatives(parents={"c1": ["g1"]})
    deps.sources = Sources(
        deps.sources.hub, deps.sources.code, relatives, FakePackageBytes(), FakeSandbox(), deps.sources.inspect
    )
    child = await rating_compute(_command("c1", "acme/child", gate=False), deps)
    alone = child.rating.tree_score
    parent = await rating_compute(_command("g1", "acme/good"), deps)
    moved = await rating_report(RatingRef(artifact_id="c1"), deps)
    assert moved.rating.tree_score == parent.rating.net_score != alone
    assert moved.parents == ["g1"] and moved.rating.net_score > child.rating.net_score
    relatives.parents.clear()
    await rating_forget(RatingRef(artifact_id="g1"), deps)
    back = await rating_report(RatingRef(artifact_id="c1"), deps)
    assert back.rating.tree_score == alone and back.parents == []


async def test_a_child_without_a_licence_inherits_its_parents_at_a_discount(deps: Deps) -> None:
    relatives = FakeRelatives(parents={"c1": ["g1"]})
    deps.sources = Sources(
        deps.sources.hub, deps.sources.code, relatives, FakePackageBytes(), FakeSandbox(), deps.sources.inspect
    )
    await rating_compute(_command("g1", "acme/good"), deps)
    child = await rating_compute(_command("c1", "acme/child"), deps)
    assert child.gate_failures == [] and child.rating.license == 0.8
    assert child.license_id == "apache-2.0"


async def test_an_uploaded_model_is_rated_from_the_card_sent_with_it_and_its_stored_size(deps: Deps) -> None:
    source = SourceRef(kind=SourceKind.UPLOAD, repo_id="0" * 32)
    bare = await rating_compute(RateModel(artifact_id="up1", name="up", source=source), deps)
    assert bare.gate_failures == ["license"]
    carded = await rating_compute(RateModel(artifact_id="up1", name="up", source=source, readme=GOOD_CARD), deps)
    assert carded.gate_failures == [] and carded.rating.license == 1.0
    assert carded.rating.dataset_quality == 1.0 and carded.rating.code_quality > 0.5
    assert carded.rating.size_score.raspberry_pi == 0.0 and carded.rating.size_score.aws_server == 1.0


class RecordingObserver:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.outcomes: list[str] = []

    def metric_seconds(self, metric: str, seconds: float) -> None:
        self.seconds[metric] = seconds

    def outcome(self, outcome: str) -> None:
        self.outcomes.append(outcome)


async def test_every_metrics_latency_and_each_outcome_is_observed(deps: Deps) -> None:
    observer = RecordingObserver()
    deps.observer = observer
    stored = await rating_compute(_command("g1", "acme/good"), deps)
    await rating_compute(_command("b1", "acme/bare"), deps)
    assert observer.outcomes == ["stored", "refused"]
    assert set(observer.seconds) == {n.metric for n in stored.notes} | {"pickle_scan"}
    assert observer.seconds["net_score"] >= observer.seconds["license"]


async def test_a_descendant_below_a_diamond_ends_up_with_its_parents_final_scores(deps: Deps) -> None:
    relatives = FakeRelatives(parents={"b": ["a"], "c": ["a"], "d": ["b", "e"], "e": ["c"]})
    deps.sources = Sources(
        deps.sources.hub, deps.sources.code, relatives, FakePackageBytes(), FakeSandbox(), deps.sources.inspect
    )
    for child in ("b", "c", "e", "d"):
        await rating_compute(_command(child, "acme/child", gate=False), deps)
    await rating_compute(_command("a", "acme/good"), deps)
    scores = {i: (await rating_report(RatingRef(artifact_id=i), deps)).rating for i in "abcde"}
    assert scores["e"].tree_score == scores["c"].net_score
    expected = round((scores["b"].net_score + scores["e"].net_score) / 2, 4)
    assert scores["d"].tree_score == expected, "d must be refreshed again after e moved"


async def test_a_rating_over_its_time_budget_fails_with_504_and_stores_nothing(deps: Deps) -> None:
    code = FakeCodeHost(repos={"acme/good-model": GOOD_REPO}, delay=0.3)
    deps.sources = Sources(_hub(delay=0.3), code, FakeRelatives(), FakePackageBytes(), FakeSandbox(), code.inspect)
    deps.policy = Policy(gate=GatePolicy(metrics=("license",)), rating_seconds=0.5)
    with pytest.raises(ServiceFailure) as late:
        await rating_compute(_command("g1", "acme/good"), deps)
    assert late.value.code is ErrorCode.TIMEOUT and "0.5 s" in late.value.message
    assert await deps.store.get("g1") is None
