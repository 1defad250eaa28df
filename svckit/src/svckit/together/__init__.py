"""``python -m svckit.together``: several services in one process, each as it runs alone.

``make run`` runs catalog-svc, storage-svc, lineage-svc and webhook-svc this way: one Python process holds the
interpreter, pydantic, SQLAlchemy, aiohttp and the NATS client once instead of four times (about 230 MB less at
rest). Nothing is merged but the process: each service keeps its own settings, NATS connection and credentials,
database, metrics port and registry, and its log lines name it (``process``). Services still never import each
other; this module imports each one's ``ENTRY`` (its ``__main__``) by name. One service's failure ends the process,
and the supervisor starts it again with all of them.

``REGISTRY_TOGETHER`` says which, in order: a JSON object from each service's module to the environment variables
that are its own (its NATS user and password, its metrics port, ...). Each one's settings are read with those set
on top of the shared environment, one service after the other, before anything runs.
"""

import asyncio
import contextvars
import importlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import structlog

from svckit.logging import configure_logging
from svckit.runner import ServiceEntry, run_until_signalled, settle_heap
from svckit.settings import RuntimeSettings

TOGETHER_VARIABLE = "REGISTRY_TOGETHER"

log = structlog.get_logger()


class NotTogether(ValueError):
    """``REGISTRY_TOGETHER`` names nothing runnable together."""


def parse_together(raw: str) -> dict[str, dict[str, str]]:
    """The modules and their own environment variables, from ``REGISTRY_TOGETHER``'s JSON."""
    try:
        parsed = json.loads(raw)
    except ValueError as error:
        raise NotTogether(f"{TOGETHER_VARIABLE} is not JSON: {error}") from error
    if not isinstance(parsed, dict) or not parsed:
        raise NotTogether(f"{TOGETHER_VARIABLE} must be an object from each service's module to its variables")
    together: dict[str, dict[str, str]] = {}
    for module, variables in parsed.items():
        if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
            raise NotTogether(f"{TOGETHER_VARIABLE}: the variables of {module!r} must be an object of strings")
        together[str(module)] = {str(k): v for k, v in variables.items()}
    return together


@contextmanager
def environment(overlay: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``overlay`` set on top, as it was again afterwards."""
    saved = {key: os.environ.get(key) for key in overlay}
    os.environ.update(overlay)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def load(together: Mapping[str, Mapping[str, str]]) -> list[tuple[ServiceEntry[Any], RuntimeSettings]]:
    """Each module's entry and its settings, read under its own variables."""
    loaded: list[tuple[ServiceEntry[Any], RuntimeSettings]] = []
    for module, overlay in together.items():
        try:
            entry = getattr(importlib.import_module(f"{module}.__main__"), "ENTRY", None)
        except ModuleNotFoundError as error:
            raise NotTogether(f"{module} is not installed here ({error})") from error
        if not isinstance(entry, ServiceEntry):
            raise NotTogether(f"{module} has no service ENTRY")
        if not entry.fast_loop:
            raise NotTogether(f"{entry.process} needs asyncio's own loop: run it in a process of its own")
        with environment(overlay):
            loaded.append((entry, entry.settings()))
    return loaded


async def serve_together(loaded: list[tuple[ServiceEntry[Any], RuntimeSettings]], stop: asyncio.Event) -> None:
    """Run every service until ``stop`` is set; the first one to fail stops the others, then fails the process."""
    tasks: list[asyncio.Task[None]] = []
    for entry, settings in loaded:
        context = contextvars.copy_context()  # every line logged under this task names its service
        context.run(structlog.contextvars.bind_contextvars, process=entry.process)
        tasks.append(asyncio.create_task(entry.run(settings, stop), name=entry.process, context=context))
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    if not stop.is_set():  # a service ended (failed, or returned) while the others serve: stop them all
        ended = next(iter(done))
        error = ended.exception() if not ended.cancelled() else None
        log.error("service_ended", process=ended.get_name(), error=repr(error) if error else "returned")
        stop.set()
        if error is None:
            error = RuntimeError(f"{ended.get_name()} ended before it was asked to stop")
        await asyncio.gather(*tasks, return_exceptions=True)
        raise error
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, BaseException):
            raise result


def main() -> None:
    """Read ``REGISTRY_TOGETHER``, then serve every service it names until SIGINT/SIGTERM (exit 2 when it is bad)."""
    try:
        loaded = load(parse_together(os.environ.get(TOGETHER_VARIABLE, "")))
    except NotTogether as error:
        sys.stderr.write(f"svckit.together: {error}\n")
        sys.exit(2)
    first = loaded[0][1]
    configure_logging("services", log_format=first.log_format, level=first.log_level)

    async def serve(stop: asyncio.Event) -> None:
        await serve_together(loaded, stop)

    settle_heap()
    run_until_signalled(serve)
