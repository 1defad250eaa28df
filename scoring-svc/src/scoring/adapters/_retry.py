"""Retrying transient upstream failures with a short backoff."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import structlog

from scoring.ports import SourceUnavailable

T = TypeVar("T")
DELAYS: Final = (0.2, 0.8)


class Transient(Exception):
    """A failure worth retrying: connection error, 5xx, 429."""


async def retrying(call: Callable[[], Awaitable[T]], what: str, delays: tuple[float, ...] = DELAYS) -> T:
    """``call()``, retried after each delay on ``Transient``; ``SourceUnavailable`` when every attempt failed."""
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return await call()
        except Transient as error:
            if delay is None:
                raise SourceUnavailable(f"{what}: {error}") from error
            structlog.get_logger().warning("upstream_retry", what=what, attempt=attempt, error=str(error))
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
