"""webhook-svc's keyed writes (``contracts.subjects.IDEMPOTENT_WRITES``: subscribing, unsubscribing) run once per
idempotency key on its real store: a resend gets the first reply (the same subscription and secret), not a second
subscription or a 404."""

from collections.abc import AsyncIterator

import pytest

from contracts import subjects
from contracts.artifacts import Actor
from contracts.base import Contract
from contracts.webhooks import CreateSubscription, EventType, SubscriptionInfo, SubscriptionRef
from svckit.host import answer_keyed
from svckit.reply_ledger import ReplyLedger
from tests.stores import engine_at
from webhooks.adapters.sender import HttpSender, open_session
from webhooks.adapters.store import SqlWebhookStore
from webhooks.adapters.tables import replies
from webhooks.adapters.targets import ResolvingTargets
from webhooks.deps import Deps
from webhooks.domain.retry import RetryPolicy
from webhooks.domain.targets import parse_allowed
from webhooks.endpoints import webhook_endpoints

ALICE = Actor(name="alice", is_admin=False)
LOOPBACK = parse_allowed("loopback")
POLICY = RetryPolicy(base_seconds=10, max_seconds=100, max_attempts=4, disable_after=3)


@pytest.fixture
async def service(store_url: str) -> AsyncIterator[tuple[Deps, ReplyLedger]]:
    """webhook-svc's use cases on its real store, and the ledger its host records keyed writes in."""
    async with engine_at(store_url) as engine, open_session(LOOPBACK, timeout=5) as session:
        store = SqlWebhookStore(engine)
        await store.clear()
        yield (
            Deps(store, ResolvingTargets(LOOPBACK), HttpSender(session, LOOPBACK), POLICY),
            ReplyLedger(engine, replies),
        )


async def _send(service: tuple[Deps, ReplyLedger], subject: str, request: Contract, key: str) -> bytes:
    deps, ledger = service
    endpoint = {e.subject: e for e in webhook_endpoints(deps)}[subject]
    return await answer_keyed(endpoint, request.model_dump_json().encode(), ledger, key)


async def test_a_subscription_sent_twice_with_its_key_subscribes_once_and_answers_twice(
    service: tuple[Deps, ReplyLedger],
) -> None:
    request = CreateSubscription(url="http://127.0.0.1:9/hook", events=[EventType.ARTIFACT_CREATED], actor=ALICE)
    first = await _send(service, subjects.WEBHOOK_CREATE, request, "key-1")
    again = await _send(service, subjects.WEBHOOK_CREATE, request, "key-1")
    assert first == again
    created = SubscriptionInfo.model_validate_json(first)
    assert created.secret is not None
    assert [s.id for s in await service[0].store.subscriptions("alice")] == [created.id]


async def test_an_unsubscription_sent_twice_answers_the_first_reply_not_a_404(
    service: tuple[Deps, ReplyLedger],
) -> None:
    request = CreateSubscription(url="http://127.0.0.1:9/hook", events=[EventType.ARTIFACT_CREATED], actor=ALICE)
    created = SubscriptionInfo.model_validate_json(await _send(service, subjects.WEBHOOK_CREATE, request, "key-1"))
    for _ in range(2):
        assert (
            await _send(service, subjects.WEBHOOK_DELETE, SubscriptionRef(id=created.id, actor=ALICE), "key-2") == b"{}"
        )
    assert await service[0].store.subscriptions("alice") == []
