"""Use cases on the real SQL store (SQLite file): token lifetime and use counting, migrations, ids."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.engine import open_catalog_engine
from catalog.deps import Deps, Policy
from catalog.domain.auth import TokenPolicy, strip_bearer, token_digest
from catalog.usecases.artifact_create import artifact_create
from catalog.usecases.auth_lease import auth_lease
from catalog.usecases.auth_login import auth_login
from catalog.usecases.auth_revocations import auth_revocations
from catalog.usecases.catalog_reset import catalog_reset
from catalog.usecases.ensure_default_admin import ensure_default_admin
from catalog.usecases.user_create import user_create
from catalog.usecases.user_delete import user_delete
from catalog.usecases.user_grant import user_grant
from contracts.artifacts import Actor, ArtifactType, CreateArtifact, ResetRequest
from contracts.base import Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import CreateUser, DeleteUser, GrantPermissions, LeaseToken, Login, Permission
from tests.catalog.fakes import (
    FakeLineage,
    FakeRater,
    FakeStorage,
    FakeUpstream,
    FastHasher,
    RecordingEvents,
    store_deps,
)
from tests.stores import MigratedStores


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 8, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def deps(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async with migrated.open(open_catalog_engine, tmp_path / "catalog.db") as engine:
        built = store_deps(engine, policy=Policy(tokens=TokenPolicy(max_uses=40)), clock=Clock())
        await ensure_default_admin(built)
        yield built


async def _token(deps: Deps) -> str:
    issued = await auth_login(Login(username=deps.policy.admin_name, password=deps.policy.admin_password), deps)
    return issued.token


async def test_token_expires_after_its_lifetime(deps: Deps) -> None:
    token = await _token(deps)
    clock = deps.clock
    assert isinstance(clock, Clock)
    clock.now += timedelta(hours=9, minutes=59)
    lease = await auth_lease(LeaseToken(token=token), deps)
    assert lease.principal.is_admin
    assert lease.expires_at == datetime(2026, 1, 1, 18, tzinfo=UTC)
    clock.now += timedelta(minutes=2)
    with pytest.raises(ServiceFailure) as caught:
        await auth_lease(LeaseToken(token=token), deps)
    assert caught.value.code is ErrorCode.FORBIDDEN


async def test_leases_never_grant_more_than_max_uses_and_shrink_near_the_end(deps: Deps) -> None:
    token = await _token(deps)
    grants = []
    while True:
        try:
            grants.append((await auth_lease(LeaseToken(token=token, wanted=64), deps)).granted)
        except ServiceFailure:
            break
    assert sum(grants) == 40
    assert grants[0] == 10
    assert grants[-3:] == [1, 1, 1]


async def test_concurrent_leases_share_the_budget_exactly(deps: Deps) -> None:
    token = await _token(deps)
    results = await asyncio.gather(
        *(auth_lease(LeaseToken(token=token, wanted=3), deps) for _ in range(30)), return_exceptions=True
    )
    granted = sum(r.granted for r in results if not isinstance(r, BaseException))
    record = await deps.users.read_token(token_digest(strip_bearer(token)))
    assert record is not None
    assert granted == record.uses
    assert granted <= 40


async def test_deleting_a_user_announces_the_revocation(deps: Deps) -> None:
    await user_create(CreateUser(name="bob", password="long-enough"), deps)
    await user_delete(DeleteUser(name="bob"), deps)
    events = deps.events
    assert isinstance(events, RecordingEvents)
    assert events.revoked == [["bob"]]


async def test_every_revocation_bumps_the_sequence_and_is_announced_with_it(deps: Deps) -> None:
    start = (await auth_revocations(Empty(), deps)).revocation
    await user_create(CreateUser(name="bob", password="long-enough"), deps)
    assert (await auth_revocations(Empty(), deps)).revocation == start
    await user_grant(GrantPermissions(name="bob", permissions=[Permission.UPLOAD]), deps)
    await user_delete(DeleteUser(name="bob"), deps)
    await catalog_reset(ResetRequest(actor=Actor(name="a", is_admin=True)), deps)
    assert (await auth_revocations(Empty(), deps)).revocation == start + 3
    events = deps.events
    assert isinstance(events, RecordingEvents)
    assert events.revoked == [["bob"], ["bob"], None]
    assert events.revocations == [start + 1, start + 2, start + 3]


async def test_a_lease_carries_the_sequence_its_user_was_read_at(deps: Deps) -> None:
    token = await _token(deps)
    before = await auth_lease(LeaseToken(token=token), deps)
    await catalog_reset(ResetRequest(actor=Actor(name="a", is_admin=True)), deps)
    after = await auth_lease(LeaseToken(token=token), deps)
    assert after.revocation == before.revocation + 1


async def test_a_check_for_no_uses_reads_the_user_and_spends_nothing(deps: Deps) -> None:
    await user_create(CreateUser(name="bob", password="long-enough", permissions=[Permission.SEARCH]), deps)
    token = (await auth_login(Login(username="bob", password="long-enough"), deps)).token
    assert (await auth_lease(LeaseToken(token=token, wanted=40), deps)).granted == 10
    await user_grant(GrantPermissions(name="bob", permissions=[Permission.UPLOAD]), deps)
    check = await auth_lease(LeaseToken(token=token, wanted=0), deps)
    assert (check.granted, check.principal.permissions) == (0, [Permission.UPLOAD])
    record = await deps.users.read_token(token_digest(strip_bearer(token)))
    assert record is not None and record.uses == 10
    await user_delete(DeleteUser(name="bob"), deps)
    with pytest.raises(ServiceFailure) as refused:
        await auth_lease(LeaseToken(token=token, wanted=0), deps)
    assert refused.value.code is ErrorCode.FORBIDDEN


async def test_migrations_are_idempotent_and_keep_data(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'again.db'}"
    async with open_catalog_engine(url) as engine:
        deps = store_deps(engine, upstream=FakeUpstream({"org/model": "card"}))
        actor = Actor(name="a", is_admin=True)
        created = await artifact_create(
            CreateArtifact(type=ArtifactType.MODEL, url="https://huggingface.co/org/model", actor=actor), deps
        )
    async with open_catalog_engine(url) as engine:
        kept = await SqlArtifactStore(engine).get(created.metadata.id)
    assert kept is not None
    assert kept.name == "model"


async def test_ids_are_unique_under_a_burst(deps: Deps) -> None:
    actor = Actor(name="a", is_admin=True)
    results = await asyncio.gather(
        *(
            artifact_create(
                CreateArtifact(
                    type=ArtifactType.MODEL, url="https://huggingface.co/org/model", name=f"m{i}", actor=actor
                ),
                deps,
            )
            for i in range(50)
        )
    )
    assert len({r.metadata.id for r in results}) == 50


async def test_nothing_is_registered_when_storage_cannot_record_the_package(deps: Deps) -> None:
    storage = deps.storage
    assert isinstance(storage, FakeStorage)
    storage.down = True
    actor = Actor(name="a", is_admin=True)
    command = CreateArtifact(type=ArtifactType.MODEL, url="https://huggingface.co/org/model", actor=actor)
    with pytest.raises(ServiceFailure) as caught:
        await artifact_create(command, deps)
    assert caught.value.code is ErrorCode.UNAVAILABLE
    assert await deps.artifacts.by_name("model") == []
    storage.down = False
    created = await artifact_create(command, deps)
    assert storage.prepared == [created.metadata.id]


async def test_a_model_failing_the_quality_gate_is_refused_with_424_and_nothing_is_kept(deps: Deps) -> None:
    rater = FakeRater(gate_failures=["license", "ramp_up_time"])
    deps.scoring = rater
    actor = Actor(name="a", is_admin=True)
    command = CreateArtifact(type=ArtifactType.MODEL, url="https://huggingface.co/org/model", actor=actor)
    with pytest.raises(ServiceFailure) as refused:
        await artifact_create(command, deps)
    assert refused.value.code is ErrorCode.FAILED_DEPENDENCY
    assert "license=0.10" in refused.value.message and "ramp_up_time=0.10" in refused.value.message
    [(rated_id, gated)] = rater.rated
    assert gated is True
    assert isinstance(deps.storage, FakeStorage) and deps.storage.discarded == [rated_id]
    assert isinstance(deps.lineage, FakeLineage) and deps.lineage.forgotten == [rated_id]
    assert rater.forgotten == [rated_id]
    assert await deps.artifacts.get(rated_id) is None
    assert await deps.artifacts.by_name("model") == []


class CountingHasher(FastHasher):
    """Counts password checks, including the decoy check of an unknown name."""

    def __init__(self) -> None:
        self.checked: list[str | None] = []

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.checked.append(password_hash)
        return await super().verify(password_hash, password)


async def test_an_unknown_name_costs_a_password_check_like_a_known_one(deps: Deps) -> None:
    hasher = CountingHasher()
    deps.hasher = hasher
    for name in (deps.policy.admin_name, "nobody"):
        with pytest.raises(ServiceFailure, match=r"^The user or password is invalid\.$") as refused:
            await auth_login(Login(username=name, password="wrong-password"), deps)
        assert refused.value.code is ErrorCode.UNAUTHORIZED
    assert len(hasher.checked) == 2
    assert hasher.checked[0] is not None and hasher.checked[1] is None
