"""Audit events the gateway publishes (``catalog.audit.rate``), taken by one catalog replica each."""

from collections.abc import Awaitable, Callable

import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import ValidationError

from contracts import subjects
from contracts.scoring import RateAudited


async def subscribe_rate_audits(nc: NATS, handle: Callable[[RateAudited], Awaitable[None]]) -> Subscription:
    """Subscribe in the catalog's queue group; a malformed or failing event is logged, never crashes the replica."""

    async def on_message(msg: Msg) -> None:
        try:
            await handle(RateAudited.model_validate_json(msg.data))
        except ValidationError as error:
            structlog.get_logger().warning("rate_audit_malformed", error=str(error))
        except Exception as error:
            structlog.get_logger().error("rate_audit_failed", error=str(error))

    return await nc.subscribe(subjects.AUDIT_RATE, queue=subjects.CATALOG, cb=on_message)
