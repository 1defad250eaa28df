"""Real sandboxes for the tests: probed once per session, as the service probes its own at start-up.

Tests of what the isolation stops are skipped (with the probe's reason) only where bubblewrap cannot isolate code at
all; that the example is then not run is itself tested, everywhere.
"""

import asyncio
import functools
import os
from dataclasses import replace
from pathlib import Path

import pytest

from scoring.adapters.sandbox import Isolation, SandboxLimits, SubprocessSandbox, detect_isolation

FAST = SandboxLimits(wall_seconds=3.0, cpu_seconds=2, memory_bytes=256 << 20, processes=32, disk_bytes=16 << 20)


@functools.cache
def isolation() -> Isolation:
    """What the probe finds on this machine (once)."""
    return asyncio.run(detect_isolation(SubprocessSandbox(limits=FAST)))


needs_isolation = pytest.mark.skipif(isolation().mode != "bwrap", reason=f"no sandbox here: {isolation().reason}")


def sandbox(limits: SandboxLimits = FAST, interpreter: str | None = None) -> SubprocessSandbox:
    """A sandbox with the probed isolation, running ``interpreter`` (default: this one)."""
    made = SubprocessSandbox(limits=limits, isolation=isolation())
    return made if interpreter is None else replace(made, interpreter=interpreter)


def sandbox_processes(marker: bytes = b"/sandbox/example.py") -> list[int]:
    """The host's processes running a sandboxed example (their command line names the example's path)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if marker in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                continue
    return found
