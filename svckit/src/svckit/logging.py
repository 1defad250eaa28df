"""structlog configured once per process: JSON lines (console renderer on a TTY), request id bound.

The process also keeps its most recent warnings and errors in memory (``RecentEvents``), which the health
dashboard shows next to the metrics without a log store.
"""

import logging
import sys
from collections import deque
from collections.abc import MutableMapping
from typing import Any

import structlog

REQUEST_ID_HEADER = "X-Request-Id"
RECENT_CAPACITY = 50
_NOTABLE = frozenset({"warning", "error", "critical", "exception"})
_SUMMARY_SKIP = frozenset({"event", "level", "timestamp", "process", "exc_info", "stack_info"})


class RecentEvents:
    """A structlog processor keeping the last warnings and errors of this process (newest last)."""

    def __init__(self, capacity: int = RECENT_CAPACITY) -> None:
        self._events: deque[dict[str, str]] = deque(maxlen=capacity)

    def __call__(self, _logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        level = str(event_dict.get("level", method))
        if level in _NOTABLE:
            detail = " ".join(f"{k}={v}" for k, v in event_dict.items() if k not in _SUMMARY_SKIP)
            self._events.append(
                {
                    "at": str(event_dict.get("timestamp", "")),
                    "level": level,
                    "process": str(event_dict.get("process", "")),
                    "event": str(event_dict.get("event", "")),
                    "detail": detail[:500],
                }
            )
        return event_dict

    def latest(self, count: int = RECENT_CAPACITY, *, process: str | None = None) -> list[dict[str, str]]:
        """The newest ``count`` events, newest last; with ``process``, its own and those no process is bound to
        (logged from a thread of its own, say)."""
        events = list(self._events)
        if process is not None:
            events = [event for event in events if event["process"] in (process, "")]
        return events[-count:]


def recent_events(count: int = 20) -> list[dict[str, str]]:
    """This process's latest warnings and errors (empty when ``configure_logging`` did not install the ring); in a
    process running several services (``svckit.together``), those of the service asking."""
    process = structlog.contextvars.get_contextvars().get("process")
    for processor in structlog.get_config().get("processors", []):
        if isinstance(processor, RecentEvents):
            return processor.latest(count, process=str(process) if process is not None else None)
    return []


def configure_logging(process: str, *, log_format: str = "auto", level: str = "info") -> None:
    """Configure structlog for this process; every line carries ``process`` and the bound context."""
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            RecentEvents(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(process=process)
