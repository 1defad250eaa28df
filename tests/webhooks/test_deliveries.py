"""Subscriptions, recording events and delivering them, on the real store with a real receiver and HTTP client."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from contracts.artifacts import Actor
from contracts.errors import ServiceFailure
from contracts.webhooks import CreateSubscription, EventType, RegistryEvent, SubscriptionRef
from tests.webhooks.receiver import Receiver, free_port, listening
from webhooks.adapters.engine import open_webhook_engine
from webhooks.adapters.sender import HttpSender, open_session
from webhooks.adapters.store import SqlWebhookStore
from webhooks.adapters.targets import ResolvingTargets
from webhooks.deps import Deps
from webhooks.domain.retry import RetryPolicy
from webhooks.domain.targets import parse_allowed
from webhooks.usecases.deliver_due import deliver_due
from webhooks.usecases.record_event import record_event
from webhooks.usecases.webhook_create import webhook_create
from webhooks.usecases.webhook_deliveries import webhook_deliveries

ADMIN = Actor(name="ada", is_admin=True)
ALICE = Actor(name="alice", is_admin=False)
LOOPBACK = parse_allowed("loopback")
POLICY = RetryPolicy(base_seconds=10, max_seconds=100, max_attempts=4, disable_after=3)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def deps(store: SqlWebhookStore) -> AsyncIterator[Deps]:
    """Real adapters: the store, name resolution allowing loopback, and an HTTP sender allowing loopback."""
    async with open_session(LOOPBACK, timeout=5) as session:
        yield Deps(store, ResolvingTargets(LOOPBACK), HttpSender(session, LOOPBACK), POLICY, clock=Clock())


def _event(event_type: EventType, artifact_id: str, owner: str | None) -> RegistryEvent:
    data = {"id": artifact_id, "type": "model"} | ({"name": f"name-{artifact_id}"} if owner else {})
    return RegistryEvent(type=event_type, timestamp=datetime.now(UTC), artifact_id=artifact_id, owner=owner, data=data)


async def _subscribe(deps: Deps, receiver: Receiver, path: str, actor: Actor, events: list[EventType]) -> str:
    command = CreateSubscription(url=receiver.url(path), events=events, actor=actor)
    created = await webhook_create(command, deps)
    assert created.secret is not None
    receiver.secrets[path] = created.secret
    return created.id


async def test_an_event_is_delivered_signed_once_to_each_subscription_that_hears_it(deps: Deps) -> None:
    async with listening(Receiver(free_port())) as receiver:
        await _subscribe(deps, receiver, "/admin", ADMIN, [EventType.ARTIFACT_CREATED, EventType.COPY_FINISHED])
        alices = await _subscribe(deps, receiver, "/alice", ALICE, [EventType.ARTIFACT_CREATED])
        await _subscribe(deps, receiver, "/deleted-only", ADMIN, [EventType.ARTIFACT_DELETED])
        created = _event(EventType.ARTIFACT_CREATED, "a1", "alice")
        assert await record_event(created, 7, 0.0, deps, 10.0)
        assert await record_event(created, 7, 0.0, deps, 10.0)  # handed out again by the stream
        assert await record_event(_event(EventType.ARTIFACT_CREATED, "b1", "bob"), 8, 0.0, deps, 10.0)
        assert await deliver_due(deps, hold=30) == 3
        assert receiver.rejected == []
        assert sorted(receiver.events("/admin")) == [("artifact.created", "a1"), ("artifact.created", "b1")]
        assert receiver.events("/alice") == [("artifact.created", "a1")]
        assert receiver.events("/deleted-only") == []
        assert await deliver_due(deps, hold=30) == 0, "nothing is sent twice"
        [shown] = (await webhook_deliveries(SubscriptionRef(id=alices, actor=ALICE), deps)).items
        assert (shown.status, shown.attempts, shown.last_status) == ("delivered", 1, 204)


async def test_an_event_without_owner_waits_for_one_then_takes_the_remembered_owner_and_name(deps: Deps) -> None:
    async with listening(Receiver(free_port())) as receiver:
        await _subscribe(deps, receiver, "/alice", ALICE, [EventType.COPY_FINISHED])
        copy = _event(EventType.COPY_FINISHED, "a2", None)
        assert not await record_event(copy, 9, 1.0, deps, 10.0), "asked again: the owner is not known yet"
        assert await record_event(_event(EventType.ARTIFACT_CREATED, "a2", "alice"), 10, 0.0, deps, 10.0)
        assert await record_event(copy, 9, 2.0, deps, 10.0)
        await deliver_due(deps, hold=30)
        [received] = receiver.received
        assert received.body["data"] == {"name": "name-a2", "id": "a2", "type": "model"}
        assert await record_event(_event(EventType.COPY_FINISHED, "zz", None), 11, 10.0, deps, 10.0)
        assert await deliver_due(deps, hold=30) == 0, "an owner never named: administrators only"


async def test_a_failed_delivery_is_retried_after_its_backoff_and_survives_a_restart(
    deps: Deps, store_url: str
) -> None:
    receiver = Receiver(free_port())
    hook = await _subscribe(deps, receiver, "/late", ALICE, [EventType.ARTIFACT_CREATED])
    await record_event(_event(EventType.ARTIFACT_CREATED, "a3", "alice"), 12, 0.0, deps, 10.0)
    assert await deliver_due(deps, hold=30) == 1
    [pending] = (await webhook_deliveries(SubscriptionRef(id=hook, actor=ALICE), deps)).items
    assert (pending.status, pending.attempts, pending.last_status) == ("pending", 1, None)
    assert pending.last_error and "connect" in pending.last_error.lower()
    assert pending.next_attempt is not None and pending.next_attempt.timestamp() == deps.clock() + 10
    async with open_webhook_engine(store_url) as engine, listening(receiver):  # another replica, after a restart
        restarted = Deps(SqlWebhookStore(engine), deps.targets, deps.sender, POLICY, clock=deps.clock)
        assert await deliver_due(restarted, hold=30) == 0, "not due before its backoff"
        assert isinstance(deps.clock, Clock)
        deps.clock.now += 10
        assert await deliver_due(restarted, hold=30) == 1
    [delivered] = (await webhook_deliveries(SubscriptionRef(id=hook, actor=ALICE), deps)).items
    assert (delivered.status, delivered.attempts, delivered.id) == ("delivered", 2, pending.id)
    assert receiver.received[0].webhook_id == pending.id


async def test_two_replicas_claiming_at_once_never_take_the_same_attempt(deps: Deps, store_url: str) -> None:
    async with listening(Receiver(free_port())) as receiver:
        await _subscribe(deps, receiver, "/all", ADMIN, [EventType.ARTIFACT_UPDATED])
        for sequence in range(40):
            await record_event(_event(EventType.ARTIFACT_UPDATED, f"u{sequence}", "bob"), sequence, 0.0, deps, 1.0)
        async with open_webhook_engine(store_url) as engine:
            other = SqlWebhookStore(engine)
            taken: list[str] = []
            for _ in range(10):  # replicas claiming at once, until nothing is left
                claims = await asyncio.gather(
                    *(s.claim_due(deps.clock(), 30, 4) for s in (deps.store, other, deps.store, other))
                )
                taken += [claimed.delivery.id for batch in claims for claimed in batch]
    assert len(taken) == len(set(taken)) == 40


async def test_repeated_failures_disable_the_subscription_with_the_reason(deps: Deps) -> None:
    async with listening(Receiver(free_port(), status=500)) as receiver:
        hook = await _subscribe(deps, receiver, "/broken", ALICE, [EventType.ARTIFACT_DELETED])
        for sequence in range(2):
            await record_event(_event(EventType.ARTIFACT_DELETED, f"d{sequence}", "alice"), sequence, 0.0, deps, 1.0)
        await deliver_due(deps, hold=30)
        assert isinstance(deps.clock, Clock)
        deps.clock.now += 10
        await deliver_due(deps, hold=30)
    [subscription] = await deps.store.subscriptions("alice")
    assert not subscription.active and subscription.id == hook
    assert subscription.disabled_reason == (
        "disabled after 3 consecutive failed delivery attempts; the last: HTTP 500 Internal Server Error"
    )
    assert {d.status for d in await deps.store.deliveries(hook, 10)} == {"failed"}
    assert await record_event(_event(EventType.ARTIFACT_DELETED, "d9", "alice"), 99, 0.0, deps, 1.0)
    assert len(await deps.store.deliveries(hook, 10)) == 2, "a disabled subscription records nothing new"


async def test_a_target_refused_at_subscription_or_at_delivery_is_not_called(store: SqlWebhookStore) -> None:
    async with open_session(parse_allowed(""), timeout=5) as session:
        strict = Deps(store, ResolvingTargets(parse_allowed("")), HttpSender(session, parse_allowed("")), POLICY)
        command = CreateSubscription(url="http://127.0.0.1:9/hook", events=[EventType.COPY_FAILED], actor=ALICE)
        with pytest.raises(ServiceFailure, match=r"127\.0\.0\.1 is a loopback address"):
            await webhook_create(command, strict)
        # A name that resolved to an allowed address when subscribed but not at delivery (DNS rebinding):
        result = await strict.sender.send("http://localhost:9/hook", "whsec_" + "A" * 32, "msg_1", "{}")
    assert result.status is None and result.error is not None and "loopback address" in result.error


async def test_each_attempt_counts_in_the_attempts_metric_by_result(store: SqlWebhookStore) -> None:
    registry = CollectorRegistry()
    async with open_session(LOOPBACK, timeout=5) as session, listening(Receiver(free_port(), status=503)) as down:
        sender = HttpSender(session, LOOPBACK, registry)
        down.secrets["/x"] = "whsec_" + "A" * 32
        await sender.send(down.url("/x"), "whsec_" + "A" * 32, "msg_1", "{}")
        await sender.send(f"http://127.0.0.1:{free_port()}/", "whsec_" + "A" * 32, "msg_2", "{}")
        await sender.send("http://10.0.0.1/", "whsec_" + "A" * 32, "msg_3", "{}")
    counts = {
        result: registry.get_sample_value("registry_webhook_attempts_total", {"result": result})
        for result in ("5xx", "error", "refused", "2xx")
    }
    assert counts == {"5xx": 1.0, "error": 1.0, "refused": 1.0, "2xx": None}


async def test_a_sequence_number_reused_by_a_recreated_stream_is_another_event(deps: Deps) -> None:
    async with listening(Receiver(free_port())) as receiver:
        await _subscribe(deps, receiver, "/all", ADMIN, [EventType.ARTIFACT_CREATED])
        assert await record_event(_event(EventType.ARTIFACT_CREATED, "first", "bob"), 1, 0.0, deps, 1.0)
        assert await record_event(_event(EventType.ARTIFACT_CREATED, "second", "bob"), 1, 0.0, deps, 1.0)
        assert await deliver_due(deps, hold=30) == 2
    assert sorted(receiver.events("/all")) == [("artifact.created", "first"), ("artifact.created", "second")]
