"""Process shape shared by every service: signals set an event, the main coroutine unwinds cleanly.

The processes on the request path run on uvloop (libuv's event loop): the same asyncio API, with sockets, timers
and callbacks in C, which cuts the cost of each NATS message and HTTP request. scoring-svc keeps asyncio's own loop:
it starts sandboxed subprocesses from a loop whose executor threads fork too, and uvloop's subprocess spawning hung
there under concurrent ratings (seen in the e2e tests).
"""

import asyncio
import gc
import signal
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog
import uvloop
from aiohttp import web

from svckit.logging import configure_logging
from svckit.settings import RuntimeSettings

S = TypeVar("S", bound=RuntimeSettings)

log = structlog.get_logger()


@dataclass(frozen=True)
class ServiceEntry(Generic[S]):
    """What runs one service: its process name, its settings (read from the environment when called), its main
    coroutine, and whether it may run on uvloop. Each service's ``__main__`` names its entry, so that
    ``python -m <service>`` and ``python -m svckit.together`` (several services in one process) run it alike."""

    process: str
    settings: Callable[[], S]
    run: Callable[[S, asyncio.Event], Coroutine[Any, Any, None]]
    fast_loop: bool = True

    def serve(self) -> None:
        """The whole ``__main__`` of the service: read settings, configure logging, serve until signalled."""
        serve_process(self.process, self.settings(), self.run, fast_loop=self.fast_loop)


def settle_heap() -> None:
    """Put every object alive now (modules, classes, schemas, settings, an app and its routes) out of the cyclic
    collector's reach (``gc.freeze``), after one last collection. A full collection walks every object it tracks:
    with a service's imports that took 40-140 ms (the gateway; four services in one process), during which the
    process answered nothing: the long tail of its latencies. Objects made later are collected as before."""
    gc.collect()
    gc.freeze()


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]], *, fast_loop: bool = True) -> None:
    """Run ``main(stop)`` until SIGINT or SIGTERM sets ``stop``; ``main`` must return once it is set. On uvloop
    unless ``fast_loop`` is false."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop if fast_loop else None) as loop_runner:
        loop_runner.run(runner())


def serve_process(
    process: str, settings: S, run: Callable[[S, asyncio.Event], Awaitable[None]], *, fast_loop: bool = True
) -> None:
    """The whole ``__main__`` of a service: configure logging, then ``run(settings, stop)`` until signalled (on
    uvloop unless ``fast_loop`` is false)."""
    configure_logging(process, log_format=settings.log_format, level=settings.log_level)

    async def serve(stop: asyncio.Event) -> None:
        await run(settings, stop)

    settle_heap()
    run_until_signalled(serve, fast_loop=fast_loop)


def serve_web_app(
    process: str,
    settings: S,
    init_app: Callable[[S], web.Application],
    host: str,
    port: int,
    *,
    reuse_port: bool = False,
) -> None:
    """The whole ``__main__`` of an HTTP process (gateway, UI): configure logging, serve until SIGINT/SIGTERM.
    With ``reuse_port``, several processes may listen on one port (``SO_REUSEPORT``: the kernel spreads the
    connections over them)."""
    configure_logging(process, log_format=settings.log_format, level=settings.log_level)
    app = init_app(settings)

    async def settled(_app: web.Application) -> None:  # after the app's own start-up (its bus, its state)
        settle_heap()

    app.on_startup.append(settled)
    web.run_app(
        app,
        host=host,
        port=port,
        access_log=None,
        print=None,
        shutdown_timeout=10,
        reuse_port=reuse_port or None,
        loop=uvloop.new_event_loop(),
    )
