"""No weak mode: where the sandbox cannot isolate code, card examples are not run at all, and the rating says why.

Each test gives the example a way to prove it ran: it would create a marker file on this host (the sandbox hides the
host's ``/tmp``, so only an unsandboxed run could make it).
"""

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts.scoring import RateModel
from contracts.storage import SourceKind, SourceRef
from scoring.adapters.bwrap import bwrap_binary
from scoring.adapters.engine import open_rating_engine
from scoring.adapters.rating_store import SqlRatingStore
from scoring.adapters.sandbox import IsolationUnavailable, SubprocessSandbox, detect_isolation
from scoring.deps import Deps, GatePolicy, Policy
from scoring.evidence.sources import Sources
from scoring.ports import HubModel
from scoring.service import isolated_sandbox
from scoring.settings import ScoringSettings
from scoring.usecases.rating_compute import rating_compute
from tests.scoring.fakes import FakeCodeHost, FakeHub, FakePackageBytes, FakeRelatives
from tests.scoring.sandboxes import FAST, needs_isolation
from tests.stores import MigratedStores


def marker_example(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('the example ran here')\n"


@pytest.fixture
async def deps(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async with migrated.open(open_rating_engine, tmp_path / "ratings.db") as engine:
        code = FakeCodeHost()
        sources = Sources(
            hub=FakeHub(models={"acme/tiny": HubModel("acme/tiny", {"license": "mit"})}),
            code=code,
            relatives=FakeRelatives(),
            package_bytes=FakePackageBytes(),
            sandbox=SubprocessSandbox(),
            inspect=code.inspect,
        )
        yield Deps(store=SqlRatingStore(engine), sources=sources, policy=Policy(gate=GatePolicy(metrics=("license",))))


async def _rated_without_running(deps: Deps, sandbox: SubprocessSandbox, marker: Path) -> str:
    """Rate a model whose example would leave ``marker``; the reproducibility note's detail."""
    deps.sources = Sources(
        deps.sources.hub, deps.sources.code, FakeRelatives(), FakePackageBytes(), sandbox, deps.sources.inspect
    )
    readme = f"# Tiny\n\n```python\n{marker_example(marker)}```\n"
    source = SourceRef(kind=SourceKind.HF_MODEL, repo_id="acme/tiny")
    report = await rating_compute(RateModel(artifact_id="t1", name="tiny", source=source, readme=readme), deps)
    note = next(note for note in report.notes if note.metric == "reproducibility")
    assert note.score == 0.0 and not note.applicable
    assert not await asyncio.to_thread(marker.exists)
    return note.detail


async def test_without_bubblewrap_the_example_is_not_run(deps: Deps, tmp_path: Path) -> None:
    sandbox = SubprocessSandbox(limits=FAST, bwrap=str(tmp_path / "no-such-bwrap"))
    isolation = await detect_isolation(sandbox)
    assert isolation.mode == "unavailable"
    assert isolation.reason == f"bubblewrap could not start ({tmp_path / 'no-such-bwrap'}): No such file or directory"
    unavailable = SubprocessSandbox(limits=FAST, bwrap=sandbox.bwrap, isolation=isolation)
    detail = await _rated_without_running(deps, unavailable, tmp_path / "marker")
    assert detail == f"not_run: the example was not run: {isolation.reason}"
    with pytest.raises(IsolationUnavailable):
        await unavailable.run(marker_example(tmp_path / "marker"))
    assert not (tmp_path / "marker").exists()


async def test_a_sandbox_never_probed_runs_nothing(tmp_path: Path) -> None:
    with pytest.raises(IsolationUnavailable, match="not probed"):
        await SubprocessSandbox().run(marker_example(tmp_path / "marker"))
    assert not (tmp_path / "marker").exists()


@needs_isolation
async def test_a_probe_that_finds_the_network_shared_makes_the_sandbox_unavailable(deps: Deps, tmp_path: Path) -> None:
    weakened = tmp_path / "bwrap-sharing-the-network"
    weakened.write_text(
        '#!/bin/sh\nfor arg; do shift; [ "$arg" = --unshare-net ] || set -- "$@" "$arg"; done\n'
        f'exec {bwrap_binary()} "$@"\n'
    )
    weakened.chmod(0o755)
    sandbox = SubprocessSandbox(limits=FAST, bwrap=str(weakened))
    isolation = await detect_isolation(sandbox)
    assert isolation.mode == "unavailable"
    assert isolation.reason == "the bubblewrap probe ok: probe failed: no network"
    detail = await _rated_without_running(deps, SubprocessSandbox(isolation=isolation), tmp_path / "marker")
    assert detail.endswith("probe failed: no network")


async def test_an_interpreter_whose_installation_holds_the_data_dir_is_refused(tmp_path: Path) -> None:
    data_dir = Path(sys.prefix) / "var" / "registry-data"
    isolation = await detect_isolation(SubprocessSandbox(limits=FAST, private=(str(data_dir),)))
    assert isolation.mode == "unavailable"
    assert isolation.reason.startswith("the interpreter's installation ") and str(data_dir) in isolation.reason


def test_the_weak_process_mode_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_ISOLATION", "process")
    with pytest.raises(ValidationError, match="SANDBOX_ISOLATION=process was removed"):
        ScoringSettings()


async def test_requiring_bubblewrap_refuses_to_start_without_it(tmp_path: Path) -> None:
    settings = ScoringSettings(sandbox_isolation="bwrap", sandbox_bwrap=tmp_path / "no-such-bwrap")
    with pytest.raises(RuntimeError, match="SANDBOX_ISOLATION=bwrap, but card examples cannot be isolated here"):
        await isolated_sandbox(settings)
    started = await isolated_sandbox(ScoringSettings(sandbox_bwrap=tmp_path / "no-such-bwrap"))
    assert started.unavailable is not None and "could not start" in started.unavailable
