"""Ask every replica of a service for its ``nats.micro`` stats (``$SRV.STATS.<name>``)."""

import asyncio
import json
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import Error as NatsError


async def gather_stats(nc: NATS, service: str, wait: float = 0.25) -> list[dict[str, Any]]:
    """Stats from each replica that answers within ``wait`` seconds."""
    replies: list[dict[str, Any]] = []
    inbox = nc.new_inbox()

    async def collect(msg: Msg) -> None:
        try:
            replies.append(json.loads(msg.data))
        except json.JSONDecodeError:
            return

    try:
        subscription = await nc.subscribe(inbox, cb=collect)
        try:
            await nc.publish(f"$SRV.STATS.{service}", b"", reply=inbox)
            await nc.flush(timeout=1)
            await asyncio.sleep(wait)
        finally:
            await subscription.unsubscribe()
    except (NatsError, TimeoutError):
        return []
    return replies
