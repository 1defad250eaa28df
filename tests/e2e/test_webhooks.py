"""Webhooks against the real stack: signed deliveries of every event type, retries after the receiver was down,
SSRF refusals, owners hearing only their own artifacts, and a subscription disabled after repeated failure.

The stack (tests/harness.py) allows loopback targets and retries quickly (first retry after 0.3 s, doubling to
2 s, disabled after 5 consecutive failed attempts)."""

import asyncio
from typing import Any

import pytest

from tests.api import Api, reset_admin
from tests.harness import RegistryStack
from tests.webhooks.receiver import Receiver, free_port, listening

pytestmark = pytest.mark.any_backend  # one SQLite run: tests/webhooks covers the store on the database

HF = "https://huggingface.co"
MINI = f"{HF}/orchard-compute/orchard-mini"
GATED = f"{HF}/datasets/ILSVRC/imagenet-1k"
WHISPER = "https://github.com/openai/whisper"
BERT = "https://github.com/google-research/bert"
ALL = [
    "artifact.created", "artifact.updated", "artifact.deleted", "rating.stored", "rating.refused",
    "copy.finished", "copy.failed",
]  # fmt: skip
PASSWORD = "s3cret-pass!"


async def _subscribe(api: Api, receiver: Receiver, path: str, events: list[str]) -> dict[str, Any]:
    reply = await api.call("POST", "/webhooks", json_body={"url": receiver.url(path), "events": events})
    assert reply.status == 201, reply.body
    assert reply.body["secret"].startswith("whsec_")
    receiver.secrets[path] = reply.body["secret"]
    return dict(reply.body)


async def _user(api: Api, name: str) -> Api:
    body = {"name": name, "password": PASSWORD, "permissions": ["upload", "search"]}
    assert (await api.call("POST", "/users", json_body=body)).status == 201
    user = Api(api.session, api.base_url)
    login = await user.login(user=name, password=PASSWORD, is_admin=False)
    assert login.status == 200, login.body
    user.token = login.body
    return user


async def _deliveries(api: Api, webhook_id: str) -> list[dict[str, Any]]:
    reply = await api.call("GET", f"/webhooks/{webhook_id}/deliveries")
    assert reply.status == 200, reply.body
    return list(reply.body)


async def test_each_event_arrives_once_signed(api: Api) -> None:
    async with listening(Receiver(free_port())) as receiver:
        hook = await _subscribe(api, receiver, "/all", ALL)
        model = (await api.register("model", MINI)).body["metadata"]
        gated = (await api.register("dataset", GATED)).body["metadata"]
        code = (await api.register("code", WHISPER)).body["metadata"]
        updated = await api.call(
            "PUT", f"/artifacts/code/{code['id']}", json_body={"metadata": code, "data": {"url": BERT}}
        )
        assert updated.status == 200, updated.body
        expected = {
            ("artifact.created", model["id"]), ("rating.stored", model["id"]), ("copy.finished", model["id"]),
            ("artifact.created", gated["id"]), ("copy.failed", gated["id"]), ("artifact.updated", code["id"]),
        }  # fmt: skip
        await receiver.wait_for("/all", expected)  # the model's copy has finished: deleting it abandons nothing
        assert (await api.call("DELETE", f"/artifacts/model/{model['id']}")).status == 200
        expected.add(("artifact.deleted", model["id"]))
        await receiver.wait_for("/all", expected)
        await asyncio.sleep(1.0)  # anything sent twice would arrive by now
        events = receiver.events("/all")
        assert all(events.count(pair) == 1 for pair in expected), events
        assert receiver.rejected == []
        ids = [r.webhook_id for r in receiver.received]
        assert len(ids) == len(set(ids)), "one webhook-id per delivery"
        created = next(r.body for r in receiver.received if r.body["type"] == "artifact.created")
        assert set(created) == {"type", "timestamp", "data"}
        assert created["data"] == {"name": "orchard-mini", "id": model["id"], "type": "model"}
        stored = next(r.body for r in receiver.received if r.body["type"] == "rating.stored")
        assert 0 <= stored["data"]["net_score"] <= 1
        failed = next(r.body for r in receiver.received if r.body["type"] == "copy.failed")
        assert failed["data"]["name"] == gated["name"] and "gated" in failed["data"]["reason"]
        shown = await _deliveries(api, hook["id"])
        assert {d["status"] for d in shown} == {"delivered"} and all(d["attempts"] == 1 for d in shown)
        listed = await api.call("GET", "/webhooks")
        assert [h["id"] for h in listed.body] == [hook["id"]] and "secret" not in listed.body[0]


async def test_a_delivery_is_retried_until_the_receiver_is_up(api: Api) -> None:
    receiver = Receiver(free_port())
    hook = await _subscribe(api, receiver, "/late", ["artifact.created"])
    code = (await api.register("code", WHISPER)).body["metadata"]
    for _ in range(100):
        shown = await _deliveries(api, hook["id"])
        if shown and shown[0]["attempts"] >= 2:
            break
        await asyncio.sleep(0.05)
    [pending] = shown
    assert pending["status"] == "pending" and pending["last_status"] is None, pending
    assert "connect" in pending["last_error"].lower(), pending
    async with listening(receiver):
        await receiver.wait_for("/late", {("artifact.created", code["id"])}, timeout=20)
    [delivered] = await _deliveries(api, hook["id"])
    assert delivered["status"] == "delivered" and delivered["attempts"] > 1 and delivered["id"] == pending["id"]
    assert receiver.received[0].webhook_id == pending["id"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://[::ffff:192.168.0.1]/hook", "192.168.0.1 is a private address"),
        ("http://0.0.0.0:8080/", "0.0.0.0 is an unspecified address"),
        ("ftp://example.com/hook", "must be http or https"),
    ],
)
async def test_targets_on_private_networks_are_refused(api: Api, url: str, reason: str) -> None:
    reply = await api.call("POST", "/webhooks", json_body={"url": url, "events": ["artifact.created"]})
    assert reply.status == 400, reply.body
    assert reply.body["message"].startswith("The url is refused: ") and reason in reply.body["message"]
    assert (await api.call("GET", "/webhooks")).body == []


async def test_a_bad_body_or_unknown_event_is_a_400(api: Api) -> None:
    unknown = await api.call("POST", "/webhooks", json_body={"url": "http://127.0.0.1:9/", "events": ["x.y"]})
    assert unknown.status == 400 and "events" in unknown.body["message"]
    weak = {"url": "http://127.0.0.1:9/", "events": ["copy.failed"], "secret": "whsec_c2hvcnQ="}
    assert (await api.call("POST", "/webhooks", json_body=weak)).status == 400
    assert (await api.call("POST", "/webhooks", json_body={"events": ["copy.failed"]}, token=False)).status == 403


async def test_a_user_hears_only_their_own_artifacts(api: Api) -> None:
    alice, bob = await _user(api, "alice"), await _user(api, "bob")
    async with listening(Receiver(free_port())) as receiver:
        alices = await _subscribe(alice, receiver, "/alice", ["artifact.created"])
        await _subscribe(api, receiver, "/admin", ["artifact.created"])
        mine = (await alice.register("code", WHISPER)).body["metadata"]
        theirs = (await bob.register("code", BERT)).body["metadata"]
        await receiver.wait_for("/admin", {("artifact.created", mine["id"]), ("artifact.created", theirs["id"])})
        await receiver.wait_for("/alice", {("artifact.created", mine["id"])})
        await asyncio.sleep(0.5)
        assert receiver.events("/alice") == [("artifact.created", mine["id"])]
    assert [h["owner"] for h in (await bob.call("GET", "/webhooks")).body] == []
    assert (await bob.call("GET", f"/webhooks/{alices['id']}/deliveries")).status == 404
    assert (await bob.call("DELETE", f"/webhooks/{alices['id']}")).status == 404
    assert len((await api.call("GET", "/webhooks")).body) == 2
    removed = await alice.call("DELETE", f"/webhooks/{alices['id']}")
    assert removed.status == 200 and removed.body == {"id": alices["id"]}


async def test_a_webhook_failing_again_and_again_is_disabled_with_its_reason(api: Api) -> None:
    async with listening(Receiver(free_port(), status=500)) as receiver:
        hook = await _subscribe(api, receiver, "/broken", ["artifact.created"])
        await api.register("code", WHISPER)
        for _ in range(200):
            [shown] = (await api.call("GET", "/webhooks")).body
            if not shown["active"]:
                break
            await asyncio.sleep(0.1)
    assert shown["active"] is False, shown
    assert shown["disabled_reason"] == (
        "disabled after 5 consecutive failed delivery attempts; the last: HTTP 500 Internal Server Error"
    )
    [delivery] = await _deliveries(api, hook["id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == ("failed", 5, 500)
    assert receiver.calls == 5


async def test_events_published_while_webhook_svc_is_down_are_delivered_once_it_is_back(
    api: Api, registry: RegistryStack
) -> None:
    async with listening(Receiver(free_port())) as receiver:
        await _subscribe(api, receiver, "/back", ["artifact.created", "artifact.deleted"])
        [service] = registry.webhooks
        service.kill()
        try:
            code = (await api.register("code", WHISPER)).body["metadata"]
            assert (await api.call("DELETE", f"/artifacts/code/{code['id']}")).status == 200
            await asyncio.sleep(0.5)
            assert receiver.received == []
        finally:
            service.start()
        expected = {("artifact.created", code["id"]), ("artifact.deleted", code["id"])}
        await receiver.wait_for("/back", expected, timeout=30)
        assert sorted(receiver.events("/back")) == sorted(expected) and receiver.rejected == []
    registry.wait_ready(replicas=1)


async def test_a_model_the_quality_gate_refuses_is_announced_as_rating_refused(gated_registry: RegistryStack) -> None:
    async with reset_admin(gated_registry.base_url) as gated, listening(Receiver(free_port())) as receiver:
        await _subscribe(gated, receiver, "/gate", ["rating.refused", "rating.stored", "artifact.created"])
        refused = await gated.register("model", f"{HF}/sshleifer/tiny-gpt2")
        assert refused.status == 424, refused.body
        for _ in range(100):
            if receiver.received:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        [event] = [r.body for r in receiver.received]
        assert event["type"] == "rating.refused" and event["data"]["name"] == "tiny-gpt2"
        assert event["data"]["reason"] == refused.body["message"] and receiver.rejected == []
