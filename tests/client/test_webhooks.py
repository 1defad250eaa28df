"""``registry webhooks {add,ls,rm,deliveries}`` against the real webhooks API: a subscription made with the CLI
delivers signed events to a receiver that verifies them with ``standardwebhooks``."""

import asyncio
from typing import Any

from tests.client.conftest import Cli, Ran
from tests.webhooks.receiver import Receiver, free_port, listening

PROMPTS = "https://huggingface.co/datasets/orchard-compute/orchard-prompts"


async def _run(cli: Cli, *args: str) -> Ran:
    """The CLI in a thread, so the receiver on this event loop keeps answering meanwhile."""
    return await asyncio.to_thread(cli, *args)


async def _delivered(cli: Cli, webhook_id: str) -> list[dict[str, Any]]:
    for _ in range(100):
        shown: list[dict[str, Any]] = (await _run(cli, "webhooks", "deliveries", webhook_id, "--json")).json()
        if shown and all(d["status"] == "delivered" for d in shown):
            return shown
        await asyncio.sleep(0.2)
    raise AssertionError(shown)


async def test_a_subscription_made_with_the_cli_delivers_signed_events(admin: Cli) -> None:
    async with listening(Receiver(free_port())) as receiver:
        hook = (await _run(admin, "webhooks", "add", receiver.url("/cli"), "-e", "artifact.created", "--json")).json()
        assert hook["secret"].startswith("whsec_") and hook["events"] == ["artifact.created"] and hook["active"]
        receiver.secrets["/cli"] = hook["secret"]
        ingested = await _run(admin, "ingest", "dataset", PROMPTS, "--json")
        dataset_id = ingested.json()["metadata"]["id"]
        await receiver.wait_for("/cli", {("artifact.created", dataset_id)})
        assert receiver.rejected == []
        # An artifact.created of an earlier test may reach webhook-svc after this subscription, and be delivered too.
        [sent] = [r.webhook_id for r in receiver.received if r.body["data"]["id"] == dataset_id]
        shown = await _delivered(admin, hook["id"])
        assert {d["type"] for d in shown} == {"artifact.created"}, "only the subscribed event type"
        received = [r.webhook_id for r in receiver.received]
        assert len(received) == len(set(received)), "each delivery arrived once"
        assert len({d["id"] for d in shown}) == len(shown) and {d["id"] for d in shown} <= set(received)
        [delivery] = [d for d in shown if d["id"] == sent]
        assert delivery["type"] == "artifact.created" and delivery["attempts"] == 1
        table = (await _run(admin, "webhooks", "deliveries", hook["id"])).stdout
        assert "artifact.created" in table and "delivered" in table
        listed = (await _run(admin, "webhooks", "ls", "--json")).json()
        assert [h["id"] for h in listed] == [hook["id"]] and listed[0]["secret"] is None
        assert receiver.url("/cli") in (await _run(admin, "webhooks", "ls")).stdout
        assert (await _run(admin, "webhooks", "rm", hook["id"])).code == 0
        assert (await _run(admin, "webhooks", "ls", "--json")).json() == []
        assert (await _run(admin, "webhooks", "rm", hook["id"])).code == 4


async def test_a_target_the_ssrf_check_refuses_is_one_error_line(admin: Cli) -> None:
    refused = await _run(admin, "webhooks", "add", "http://169.254.169.254/latest/meta-data")
    assert refused.code == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("error: 400: ") and "request id" in line
