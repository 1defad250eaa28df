"""The cores CPU-bound pools (password hashing, regex scans) may use, and how they yield them to requests."""

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading

BACKGROUND_NICENESS = 10
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def yield_to_requests() -> None:
    """Run the calling thread (and threads it starts) at a lower priority (Linux: per thread), so the event
    loop and the database thread get a core at once even while every pool thread is busy."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)


def checker_process_start() -> None:
    """The start of a child process of the catalog (the pattern checker): lower priority, and gone with its parent.

    Linux: the kernel sends it SIGKILL when the catalog process ends (``PR_SET_PDEATHSIG``), so a catalog-svc killed
    with SIGKILL, which cannot shut its pool down, leaves no worker (and no multiprocessing resource tracker, which
    ends with the worker) behind: before, each such kill left two orphans of about 15 MB.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # the catalog ended before the line above ran
        os._exit(0)
    yield_to_requests()


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing). Building the
    regex index at 10,000 artifacts frees about 14 MB of short-lived objects that glibc would otherwise keep in
    the process's RSS (measured: +18 MB after a build, +4 MB after this call)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
