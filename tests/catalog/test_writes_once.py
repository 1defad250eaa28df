"""The catalog's keyed writes (``contracts.subjects.IDEMPOTENT_WRITES``: user writes, artifact deletion) run once per
idempotency key, on the real store migrated on SQLite: a resend gets the first reply, and a write whose claim
another attempt took over is rolled back with its reply, so its effect is never applied twice."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.tables import replies
from catalog.deps import Deps
from catalog.endpoints import catalog_endpoints
from catalog.usecases.artifact_create import artifact_create
from catalog.usecases.catalog_reset import catalog_reset
from catalog.usecases.ensure_default_admin import ensure_default_admin
from catalog.usecases.user_create import user_create
from contracts import subjects
from contracts.artifacts import Actor, ArtifactType, CreateArtifact, DeleteArtifact, ResetRequest
from contracts.base import Contract, Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import CreateUser, DeleteUser, GrantPermissions, Permission, UserInfo
from svckit import reply_ledger
from svckit.host import answer_keyed
from svckit.reply_ledger import ReplyLedger
from tests.catalog.fakes import FakeStorage, store_deps
from tests.stores import MigratedStores

ADMIN = Actor(name="admin", is_admin=True)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def catalog(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[tuple[Deps, AsyncEngine]]:
    async with migrated.open(open_catalog_engine, tmp_path / "catalog.db") as engine:
        deps = store_deps(engine)
        await ensure_default_admin(deps)
        yield deps, engine


async def _send(deps: Deps, ledger: ReplyLedger, subject: str, request: Contract, key: str) -> bytes:
    endpoint = {e.subject: e for e in catalog_endpoints(deps)}[subject]
    return await answer_keyed(endpoint, request.model_dump_json().encode(), ledger, key)


async def test_a_user_creation_sent_twice_with_its_key_creates_once_and_answers_twice(
    catalog: tuple[Deps, AsyncEngine],
) -> None:
    deps, engine = catalog
    ledger = ReplyLedger(engine, replies)
    request = CreateUser(name="bob", password="long-enough", permissions=[Permission.SEARCH])
    first = await _send(deps, ledger, subjects.USER_CREATE, request, "key-1")
    again = await _send(deps, ledger, subjects.USER_CREATE, request, "key-1")
    assert first == again
    assert UserInfo.model_validate_json(first).name == "bob"
    with pytest.raises(ServiceFailure) as caught:  # another creation of the same name, with a key of its own
        await _send(deps, ledger, subjects.USER_CREATE, request, "key-2")
    assert caught.value.code is ErrorCode.CONFLICT


async def test_a_key_used_before_a_reset_runs_its_write_again_after_it(catalog: tuple[Deps, AsyncEngine]) -> None:
    deps, engine = catalog
    ledger = ReplyLedger(engine, replies)
    request = CreateUser(name="bob", password="long-enough")
    await _send(deps, ledger, subjects.USER_CREATE, request, "key-1")
    await catalog_reset(ResetRequest(actor=ADMIN), deps)
    await _send(deps, ledger, subjects.USER_CREATE, request, "key-1")
    assert await deps.users.get_user("bob") is not None  # created again, not the creation the reset undid replayed


async def test_a_deletion_sent_twice_answers_the_first_reply_not_a_404(catalog: tuple[Deps, AsyncEngine]) -> None:
    deps, engine = catalog
    ledger = ReplyLedger(engine, replies)
    await user_create(CreateUser(name="bob", password="long-enough"), deps)
    for _ in range(2):
        assert await _send(deps, ledger, subjects.USER_DELETE, DeleteUser(name="bob"), "key-1") == b"{}"
    assert await deps.users.get_user("bob") is None
    assert Empty.model_validate_json(b"{}") == Empty()


async def test_a_grant_whose_claim_was_taken_over_is_rolled_back_and_answers_the_other_attempt(
    catalog: tuple[Deps, AsyncEngine],
) -> None:
    """The first attempt stalls past its lease; a resend takes the key over and grants. When the first attempt goes
    on, its grant (and its bump of the revocation sequence) is rolled back with its reply: the change happened once,
    and both attempts answer the resend's reply."""
    deps, engine = catalog
    await user_create(CreateUser(name="bob", password="long-enough"), deps)
    clock = Clock()
    ledger = ReplyLedger(engine, replies, clock=clock)
    grant = GrantPermissions(name="bob", permissions=[Permission.UPLOAD])
    before = await deps.users.revocation()
    taken_over: list[bytes] = []
    stalled: list[bool] = []
    real_get_user = deps.users.get_user

    async def stalled_get_user(name: str) -> object:
        if not stalled:  # the first attempt, after its claim: it stalls, its lease lapses, a resend arrives
            stalled.append(True)
            clock.now += reply_ledger.LEASE_SECONDS + 1
            taken_over.append(await _send(deps, ledger, subjects.USER_GRANT, grant, "key-1"))
        return await real_get_user(name)

    deps.users.get_user = stalled_get_user  # type: ignore[method-assign,assignment]
    first = await _send(deps, ledger, subjects.USER_GRANT, grant, "key-1")
    assert first == taken_over[0]
    assert await deps.users.revocation() == before + 1  # one grant committed, not two


async def test_an_artifact_deletion_sent_twice_removes_it_once_and_answers_twice(
    catalog: tuple[Deps, AsyncEngine],
) -> None:
    deps, engine = catalog
    ledger = ReplyLedger(engine, replies)
    created = await artifact_create(
        CreateArtifact(type=ArtifactType.MODEL, url="https://huggingface.co/org/model", actor=ADMIN), deps
    )
    request = DeleteArtifact(type=ArtifactType.MODEL, id=created.metadata.id, actor=ADMIN)
    for _ in range(2):
        assert await _send(deps, ledger, subjects.ARTIFACT_DELETE, request, "key-1") == b"{}"
    assert await deps.artifacts.get(created.metadata.id) is None
    trail = await deps.artifacts.audit_trail(created.metadata.id)
    assert [record.action for record in trail].count("DELETE") == 1
    with pytest.raises(ServiceFailure) as caught:  # another deletion, with a key of its own, finds nothing
        await _send(deps, ledger, subjects.ARTIFACT_DELETE, request, "key-2")
    assert caught.value.code is ErrorCode.NOT_FOUND


class StallingStorage(FakeStorage):
    """The catalog's storage port whose first ``discard`` first runs ``stall`` (a first attempt stalling there)."""

    def __init__(self, stall: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.stall: Callable[[], Awaitable[None]] | None = stall

    async def discard(self, artifact_id: str) -> None:
        if self.stall is not None:
            stall, self.stall = self.stall, None
            await stall()
        await super().discard(artifact_id)


async def test_an_artifact_deletion_whose_claim_was_taken_over_is_rolled_back(
    catalog: tuple[Deps, AsyncEngine],
) -> None:
    """The first attempt stalls past its lease while the storage forgets the package; a resend takes the key over
    and deletes. The first attempt's removal (and its audit entry) is rolled back: one DELETE in the trail."""
    deps, engine = catalog
    clock = Clock()
    ledger = ReplyLedger(engine, replies, clock=clock)
    created = await artifact_create(
        CreateArtifact(type=ArtifactType.MODEL, url="https://huggingface.co/org/model", actor=ADMIN), deps
    )
    request = DeleteArtifact(type=ArtifactType.MODEL, id=created.metadata.id, actor=ADMIN)
    taken_over: list[bytes] = []

    async def resend() -> None:
        clock.now += reply_ledger.LEASE_SECONDS + 1
        taken_over.append(await _send(deps, ledger, subjects.ARTIFACT_DELETE, request, "key-1"))

    deps.storage = StallingStorage(resend)
    first = await _send(deps, ledger, subjects.ARTIFACT_DELETE, request, "key-1")
    assert first == taken_over[0] == b"{}"
    trail = await deps.artifacts.audit_trail(created.metadata.id)
    assert [record.action for record in trail].count("DELETE") == 1
