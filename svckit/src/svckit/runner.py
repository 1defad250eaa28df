"""Process shape shared by every service: signals set an event, the main coroutine unwinds cleanly."""

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from aiohttp import web

from svckit.logging import configure_logging
from svckit.settings import RuntimeSettings

S = TypeVar("S", bound=RuntimeSettings)

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


def serve_process(process: str, settings: S, run: Callable[[S, asyncio.Event], Awaitable[None]]) -> None:
    """The whole ``__main__`` of a service: configure logging, then ``run(settings, stop)`` until signalled."""
    configure_logging(process, log_format=settings.log_format, level=settings.log_level)

    async def serve(stop: asyncio.Event) -> None:
        await run(settings, stop)

    run_until_signalled(serve)


def serve_web_app(process: str, settings: S, init_app: Callable[[S], web.Application], host: str, port: int) -> None:
    """The whole ``__main__`` of an HTTP process (gateway, UI): configure logging, serve until SIGINT/SIGTERM."""
    configure_logging(process, log_format=settings.log_format, level=settings.log_level)
    web.run_app(init_app(settings), host=host, port=port, access_log=None, print=None, shutdown_timeout=10)
