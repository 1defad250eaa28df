"""The model-file security scan in rating_compute, on fakes of the upstream ports and the real SQLite rating store: a
dangerous pickle refuses the model at ingest with 424 whatever the quality gate's settings, and every rating's
report lists the pickle-based files with their verdicts and the Hub's own status."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from contracts.errors import ErrorCode, ServiceFailure
from contracts.scoring import PickleFileScan, PickleVerdict, RateModel, RatingRef
from contracts.storage import SourceKind, SourceRef
from scoring.adapters.engine import open_rating_engine
from scoring.adapters.rating_store import SqlRatingStore
from scoring.deps import Deps, GatePolicy, PicklePolicy, Policy
from scoring.evidence.sources import Sources
from scoring.ports import HubModel, HubSecurity
from scoring.usecases.rating_compute import rating_compute
from scoring.usecases.rating_report import rating_report
from tests.scoring.fakes import FakeCodeHost, FakeHub, FakePackageBytes, FakePickleScanner, FakeRelatives, FakeSandbox
from tests.stores import MigratedStores

CARD = "---\nlicense: apache-2.0\n---\n# digits\n\n## Usage\n\n```python\nprint('ok')\n```\n"
FILES = [("model.safetensors", 2_600), ("pytorch_model.bin", 3_670), ("training_args.bin", 4_000)]
HUB_SCAN = HubSecurity(scans_done=True, files_with_issues={"training_args.bin": "caution"})
DANGEROUS = (PickleVerdict.DANGEROUS, ["os.system", "builtins.exec"])


def _hub() -> FakeHub:
    model = HubModel("acme/digits", {"license": "apache-2.0"}, FILES, commit="c0ffee", security=HUB_SCAN)
    unsafe = HubModel(
        "acme/flagged", {"license": "apache-2.0"}, FILES, security=HubSecurity(True, {"model.safetensors": "unsafe"})
    )
    return FakeHub(models={"acme/digits": model, "acme/flagged": unsafe}, cards={"acme/digits": CARD})


def _deps(deps: Deps, scanner: FakePickleScanner, policy: Policy | None = None) -> Deps:
    code = FakeCodeHost()
    deps.sources = Sources(
        _hub(), code, FakeRelatives(), FakePackageBytes(), FakeSandbox(), code.inspect, pickles=scanner
    )
    deps.policy = policy or Policy(gate=GatePolicy(enabled=False))
    return deps


@pytest.fixture
async def deps(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async with migrated.open(open_rating_engine, tmp_path / "ratings.db") as engine:
        yield _deps(Deps(store=SqlRatingStore(engine), sources=None), FakePickleScanner())  # type: ignore[arg-type]


def _command(repo: str = "acme/digits", gate: bool = True, artifact_id: str = "m1") -> RateModel:
    source = SourceRef(kind=SourceKind.HF_MODEL, repo_id=repo)
    return RateModel(artifact_id=artifact_id, name=repo.split("/")[1], source=source, gate=gate)


async def test_a_dangerous_pickle_refuses_the_model_with_424_naming_file_and_imports_even_with_the_gate_off(
    deps: Deps,
) -> None:
    _deps(deps, FakePickleScanner({"pytorch_model.bin": DANGEROUS}))
    assert not deps.policy.gate.enabled
    with pytest.raises(ServiceFailure) as refused:
        await rating_compute(_command(), deps)
    assert refused.value.code is ErrorCode.FAILED_DEPENDENCY
    assert refused.value.message == (
        "Not registered: the model-file security scan refuses it: pytorch_model.bin imports os.system, builtins.exec "
        "(loading it can run that code)."
    )
    assert await deps.store.get("m1") is None


async def test_the_report_lists_every_pickle_based_file_with_its_verdict_and_the_hubs_status(deps: Deps) -> None:
    report = await rating_compute(_command(), deps)
    scan = report.pickle_scan
    assert scan is not None and scan.scanned and scan.refused is None and scan.hub_scans_done is True
    assert [(f.path, f.verdict, f.hub_status) for f in scan.files] == [
        ("pytorch_model.bin", PickleVerdict.SAFE, "safe"),
        ("training_args.bin", PickleVerdict.SAFE, "caution"),
    ]
    assert scan.detail == "2 pickle-based files: 2 safe"
    assert (await rating_report(RatingRef(artifact_id="m1"), deps)).pickle_scan == scan


async def test_an_unscanned_file_passes_by_default_and_refuses_when_the_operator_asks(deps: Deps) -> None:
    scanner = FakePickleScanner({"training_args.bin": (PickleVerdict.UNSCANNED, [])})
    report = await rating_compute(_command(), _deps(deps, scanner))
    assert report.pickle_scan is not None and report.pickle_scan.refused is None
    strict = Policy(gate=GatePolicy(enabled=False), pickles=PicklePolicy(refuse_unscanned=True))
    with pytest.raises(ServiceFailure) as refused:
        await rating_compute(_command(artifact_id="m2"), _deps(deps, scanner, strict))
    assert refused.value.code is ErrorCode.FAILED_DEPENDENCY
    assert "training_args.bin could not be scanned (unscanned here)" in refused.value.message


async def test_a_file_the_hubs_own_scan_marks_unsafe_refuses_the_model(deps: Deps) -> None:
    with pytest.raises(ServiceFailure) as refused:
        await rating_compute(_command("acme/flagged"), deps)
    assert "the Hub's own scan marks model.safetensors unsafe" in refused.value.message


async def test_with_the_pickle_gate_off_a_dangerous_model_is_stored_with_its_verdict(deps: Deps) -> None:
    scanner = FakePickleScanner({"pytorch_model.bin": DANGEROUS})
    report = await rating_compute(
        _command(), _deps(deps, scanner, Policy(gate=GatePolicy(enabled=False), pickles=PicklePolicy(gate=False)))
    )
    assert report.pickle_scan is not None and report.pickle_scan.refused is None
    assert report.pickle_scan.files[0].verdict is PickleVerdict.DANGEROUS
    assert await deps.store.get("m1") is not None


async def test_on_update_a_dangerous_model_is_rated_and_stored_not_refused(deps: Deps) -> None:
    _deps(deps, FakePickleScanner({"pytorch_model.bin": DANGEROUS}))
    report = await rating_compute(_command(gate=False), deps)
    assert report.pickle_scan is not None and report.pickle_scan.files[0].dangerous_imports == DANGEROUS[1]
    assert (await rating_report(RatingRef(artifact_id="m1"), deps)).pickle_scan == report.pickle_scan


class StoredScans:
    """A ``StoredPickleScanner`` answering fixed scans of an upload's files; records the artifacts it read."""

    def __init__(self, *scans: PickleFileScan) -> None:
        self.scans = list(scans)
        self.read: list[str] = []

    async def scan(self, artifact_id: str) -> list[PickleFileScan]:
        self.read.append(artifact_id)
        return self.scans


def _upload(artifact_id: str = "u1") -> RateModel:
    source = SourceRef(kind=SourceKind.UPLOAD, repo_id="0" * 32, subpath="model.tar")
    return RateModel(artifact_id=artifact_id, name="up", source=source, readme=CARD)


async def test_an_uploaded_package_with_a_dangerous_member_is_refused_with_424_naming_it(deps: Deps) -> None:
    member = PickleFileScan(
        path="model.tar/pytorch_model.bin", verdict=PickleVerdict.DANGEROUS, detail="archive/data.pkl imports os.system",
        dangerous_imports=["os.system"], archive="model.tar",
    )  # fmt: skip
    stored = StoredScans(member)
    deps.sources = replace(deps.sources, stored_pickles=stored)
    with pytest.raises(ServiceFailure) as refused:
        await rating_compute(_upload(), deps)
    assert refused.value.code is ErrorCode.FAILED_DEPENDENCY and stored.read == ["u1"]
    assert refused.value.message == (
        "Not registered: the model-file security scan refuses it: model.tar/pytorch_model.bin imports os.system "
        "(loading it can run that code)."
    )
    assert await deps.store.get("u1") is None


async def test_an_uploaded_safe_file_is_scanned_from_storage_and_reported(deps: Deps) -> None:
    safe = PickleFileScan(path="weights.pt", verdict=PickleVerdict.SAFE, detail="1 pickle read to the end", size=9)
    deps.sources = replace(deps.sources, stored_pickles=StoredScans(safe))
    report = await rating_compute(_upload("u2"), deps)
    assert report.pickle_scan is not None and report.pickle_scan.scanned and report.pickle_scan.files == [safe]
    assert report.pickle_scan.detail == "1 pickle-based file: 1 safe" and report.pickle_scan.refused is None


async def test_a_model_neither_on_the_hub_nor_uploaded_is_not_scanned_and_says_so(deps: Deps) -> None:
    source = SourceRef(kind=SourceKind.GITHUB, repo_id="acme/digits")
    report = await rating_compute(RateModel(artifact_id="g1", name="gh", source=source, readme=CARD), deps)
    assert report.pickle_scan is not None and not report.pickle_scan.scanned
    assert report.pickle_scan.detail.startswith("neither a Hugging Face model nor an upload")


async def test_an_unreachable_hub_fails_the_rating_with_502_as_before(deps: Deps) -> None:
    deps.sources.hub.down = True  # type: ignore[attr-defined]
    with pytest.raises(ServiceFailure) as failed:
        await rating_compute(_command(), deps)
    assert failed.value.code is ErrorCode.UPSTREAM_FAILED
