"""Keeps a set of children running: restarts a crashed one with backoff, stops all tier by tier.

A child is checked every ``POLL_SECONDS``; its first crash is restarted at once (a service killed on a healthy
machine should answer again within seconds), repeated crashes wait 1, 2, 4... up to ``MAX_BACKOFF`` seconds,
and the backoff resets once a child has run for a minute.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from stack.processes import Child, stop_together

MAX_BACKOFF = 30.0
POLL_SECONDS = 0.1
# Stop order, first to last: the processes clients reach, then the services, then what they all stand on (NATS,
# S3). Each tier but the last stops together; the last stops one by one, in reverse start order.
EDGE, SERVICE, INFRA = 2, 1, 0


@dataclass
class _Watched:
    child: Child
    tier: int = SERVICE
    backoff: float = 0.0
    restart_at: float | None = None
    started_at: float = field(default_factory=time.monotonic)


class Supervisor:
    """Start children in order; ``run`` watches them until ``stop_event`` is set."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink
        self._watched: list[_Watched] = []

    def start(self, child: Child, tier: int = SERVICE) -> None:
        """Start and watch ``child`` (``tier``: when it stops, see ``EDGE``)."""
        child.start()
        self._watched.append(_Watched(child, tier))
        self._sink(f"{'stack':<12}| started {child.name} (pid {child.pid})")

    def run(self, stop_event: threading.Event) -> None:
        """Restart children that exit unexpectedly until asked to stop."""
        while not stop_event.wait(POLL_SECONDS):
            now = time.monotonic()
            for item in self._watched:
                self._check(item, now)

    def stop_all(self) -> None:
        """Stop the edge processes together, then the services together, then NATS and S3 in reverse start order."""
        for tier in (EDGE, SERVICE):
            children = [item.child for item in reversed(self._watched) if item.tier == tier]
            if children:
                self._sink(f"{'stack':<12}| stopping {', '.join(child.name for child in children)}")
                stop_together(children)
        for item in reversed(self._watched):
            if item.tier == INFRA:
                self._sink(f"{'stack':<12}| stopping {item.child.name}")
                item.child.stop()

    def _check(self, item: _Watched, now: float) -> None:
        child = item.child
        if child.alive():
            if now - item.started_at > 60:
                item.backoff = 0.0
            return
        if item.restart_at is None:
            item.restart_at = now + item.backoff
            self._sink(
                f"{'stack':<12}| {child.name} exited with {child.exit_code()}; restarting in {item.backoff:.0f}s"
            )
            if item.backoff > 0:
                return
        if now >= item.restart_at:
            child.start()
            item.started_at, item.restart_at = now, None
            item.backoff = min(max(item.backoff * 2, 1.0), MAX_BACKOFF)
            self._sink(f"{'stack':<12}| restarted {child.name} (pid {child.pid})")
