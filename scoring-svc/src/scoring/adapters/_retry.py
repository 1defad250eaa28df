"""Scoring's adapters retry transient upstream failures under the one policy of ``svckit.upstream.retrying``."""

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from scoring.ports import SourceUnavailable
from svckit.upstream import TRANSIENT, UpstreamTransient
from svckit.upstream import retrying as upstream_retrying

T = TypeVar("T")
ATTEMPTS: Final = 3
# The failure adapters raise for an answer worth retrying (5xx, 429): the shared one.
Transient = UpstreamTransient


async def retrying(call: Callable[[], Awaitable[T]], what: str, attempts: int = ATTEMPTS) -> T:
    """``call()`` under the shared retry policy; ``SourceUnavailable`` when every attempt failed."""
    try:
        return await upstream_retrying(call, what, attempts=attempts)
    except TRANSIENT as error:
        raise SourceUnavailable(f"{what}: {error}") from error
