"""Ownership on the real SQL store: who registered an artifact is recorded, and only they or an admin change it."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.migrations import MIGRATIONS
from catalog.deps import Deps
from catalog.usecases.artifact_create import artifact_create
from catalog.usecases.artifact_delete import artifact_delete
from catalog.usecases.artifact_package import artifact_package
from catalog.usecases.artifact_register_upload import artifact_register_upload
from catalog.usecases.artifact_update import artifact_update
from contracts.artifacts import Actor, Artifact, ArtifactType, CreateArtifact, DeleteArtifact, UpdateArtifact
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import PackageState, PackageStatus, PackageView, ReadPackage, RegisterUpload
from tests.catalog.fakes import FakeStorage, FakeUpstream, store_deps
from tests.stores import MigratedStores

ALICE = Actor(name="alice", is_admin=False)
BOB = Actor(name="bob", is_admin=False)
ADMIN = Actor(name="root", is_admin=True)
CODE = "https://github.com/org/code"
OTHER_CODE = "https://github.com/org/other"


class ViewingStorage(FakeStorage):
    """Storage whose package view answers (an empty, queued package)."""

    async def view(self, artifact_id: str) -> PackageView:
        status = PackageStatus(
            artifact_id=artifact_id,
            state=PackageState.QUEUED,
            bytes_done=0,
            files_done=0,
            files_total=0,
            updated_at=datetime.now(UTC),
        )
        return PackageView(status=status, files=[])


def _deps(engine: AsyncEngine) -> Deps:
    return store_deps(
        engine, upstream=FakeUpstream({"org/code": "# Code", "org/other": "# Other"}), storage=ViewingStorage()
    )


@pytest.fixture
async def deps(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async with migrated.open(open_catalog_engine, tmp_path / "catalog.db") as engine:
        yield _deps(engine)


async def _register(deps: Deps, actor: Actor) -> Artifact:
    return await artifact_create(CreateArtifact(type=ArtifactType.CODE, url=CODE, actor=actor), deps)


def _update(created: Artifact, actor: Actor) -> UpdateArtifact:
    metadata = created.metadata
    return UpdateArtifact(type=metadata.type, id=metadata.id, name=metadata.name, url=OTHER_CODE, actor=actor)


def _delete(created: Artifact, actor: Actor) -> DeleteArtifact:
    return DeleteArtifact(type=created.metadata.type, id=created.metadata.id, actor=actor)


async def _owner(deps: Deps, created: Artifact) -> str | None:
    return (await artifact_package(ReadPackage(type=created.metadata.type, id=created.metadata.id), deps)).owner


async def test_the_registering_user_is_recorded_as_owner(deps: Deps) -> None:
    created = await _register(deps, ALICE)
    assert await _owner(deps, created) == "alice"


async def test_another_user_may_neither_update_nor_delete(deps: Deps) -> None:
    created = await _register(deps, ALICE)
    for change in (artifact_update(_update(created, BOB), deps), artifact_delete(_delete(created, BOB), deps)):
        with pytest.raises(ServiceFailure) as refused:
            await change
        assert refused.value.code is ErrorCode.UNAUTHORIZED
        assert (
            "'bob'" in refused.value.message and "only its owner 'alice' or an administrator" in refused.value.message
        )
    stored = await deps.artifacts.get(created.metadata.id)
    assert stored is not None and stored.url == CODE


async def test_the_owner_and_an_admin_may_update_and_the_owner_stays(deps: Deps) -> None:
    created = await _register(deps, ALICE)
    await artifact_update(_update(created, ALICE), deps)
    await artifact_update(_update(created, ADMIN), deps)
    assert await _owner(deps, created) == "alice"


@pytest.mark.parametrize("actor", [ALICE, ADMIN], ids=["owner", "admin"])
async def test_the_owner_or_an_admin_may_delete(deps: Deps, actor: Actor) -> None:
    created = await _register(deps, ALICE)
    await artifact_delete(_delete(created, actor), deps)
    assert await deps.artifacts.get(created.metadata.id) is None


async def test_an_upload_records_its_uploader(deps: Deps) -> None:
    command = RegisterUpload(
        type=ArtifactType.DATASET, upload_id="0" * 32, filename="data.csv", name="my-data", actor=BOB
    )
    created = await artifact_register_upload(command, deps)
    assert await _owner(deps, created) == "bob"
    with pytest.raises(ServiceFailure) as refused:
        await artifact_delete(_delete(created, ALICE), deps)
    assert refused.value.code is ErrorCode.UNAUTHORIZED


def _migrate_to(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["version_table"] = "catalog_schema_version"
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_artifacts_registered_before_owners_were_recorded_are_left_to_admins(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_migrate_to, "0003")
        await conn.execute(
            text(
                "INSERT INTO artifacts (id, type, name, url, created_at, updated_at) "
                "VALUES ('1234567890123456', 'code', 'old-code', :url, :at, :at)"
            ),
            {"url": CODE, "at": datetime.now(UTC)},
        )
        await conn.execute(text("INSERT INTO artifact_readmes (artifact_id, readme) VALUES ('1234567890123456', '')"))
    await engine.dispose()
    async with open_catalog_engine(url) as migrated:
        deps = _deps(migrated)
        old = await deps.artifacts.get("1234567890123456")
        assert old is not None and old.owner is None
        created = Artifact.model_validate({"metadata": old.metadata.model_dump(), "data": {"url": CODE}})
        with pytest.raises(ServiceFailure) as refused:
            await artifact_delete(_delete(created, ALICE), deps)
        assert "its owner is not recorded, so only an administrator may" in refused.value.message
        await artifact_delete(_delete(created, ADMIN), deps)
