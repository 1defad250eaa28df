"""The cores CPU-bound pools (password hashing, regex scans) may use, and how they yield them to requests."""

import contextlib
import os
import threading

BACKGROUND_NICENESS = 10


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def yield_to_requests() -> None:
    """Run the calling thread (and threads it starts) at a lower priority (Linux: per thread), so the event
    loop and the database thread get a core at once even while every pool thread is busy."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
