"""What webhook-svc's use cases are handed, wired in ``service.py``."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from webhooks.domain.retry import RetryPolicy
from webhooks.ports import Sender, Targets, WebhookStore


@dataclass
class Deps:
    """Ports and policy of one webhook-svc replica."""

    store: WebhookStore
    targets: Targets
    sender: Sender
    policy: RetryPolicy
    clock: Callable[[], float] = time.time
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # set when new deliveries are due now
