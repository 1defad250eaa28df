"""Process shape shared by every service: signals set an event, the main coroutine unwinds cleanly."""

import asyncio
import signal
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger()


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` until SIGINT or SIGTERM sets ``stop``; ``main`` must return once it is set."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(runner())
