"""Watching one sandboxed process from outside: its output tails, the wall-clock wait, killing its process group,
and reading how it ended (``scoring.adapters.sandbox`` starts it under bubblewrap)."""

import asyncio
import contextlib
import os
import re
import signal
from typing import Final

from scoring.evidence.reproduction import RunStatus

MISSING_MODULE: Final = re.compile(r"ModuleNotFoundError: No module named '([A-Za-z_][A-Za-z0-9_.]*)'")


async def keep_tail(stream: asyncio.StreamReader, tail: bytearray, limit: int) -> None:
    """Read ``stream`` to its end, keeping only its last ``limit`` bytes in ``tail``."""
    while chunk := await stream.read(1 << 16):
        tail += chunk
        if len(tail) > limit:
            del tail[:-limit]


async def wait_within(child: asyncio.subprocess.Process, seconds: float) -> bool:
    """Wait for the child to exit; True when the wall-clock limit expired first."""
    try:
        await asyncio.wait_for(child.wait(), seconds)
    except TimeoutError:
        return True
    return False


def kill_group(pid: int) -> None:
    """Kill the child's whole process group (the child leads it: ``start_new_session``), if anything is left of it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def exit_code_of(returned: int) -> int:
    """The snippet's exit code; bwrap reports a child ended by signal N as exit 128 + N, made -N again here."""
    if 128 < returned < 128 + 65:
        return 128 - returned
    return returned


def run_status(exit_code: int, timed_out: bool) -> RunStatus:
    """How the run ended: past the wall-clock limit, killed by a signal, or its exit code."""
    if timed_out:
        return "timeout"
    if exit_code < 0:
        return "killed"
    return "ok" if exit_code == 0 else "error"


def missing_module(stderr: str) -> str | None:
    """The module a ``ModuleNotFoundError`` names, when the output's last line is one naming a valid module path."""
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
    found = MISSING_MODULE.fullmatch(last)
    return found.group(1) if found else None
