"""CPU time of the processes under test (Linux ``/proc``), to show which one saturates during a scenario."""

import os
import time
from collections.abc import Callable, Mapping

Probe = Callable[[], dict[str, float]]
LOAD_GENERATOR = "load generator"


def process_cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds of ``pid`` (all its threads), or None when unavailable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # After the ")" closing the command name: state is fields[0], utime fields[11], stime fields[12].
    return (int(fields[11]) + int(fields[12])) / ticks


def probe_for(pids: Mapping[str, int | None]) -> Probe:
    """A function returning the CPU seconds used so far by each named process and by this one."""

    def probe() -> dict[str, float]:
        used = {LOAD_GENERATOR: time.process_time()}
        for name, pid in pids.items():
            seconds = process_cpu_seconds(pid) if pid is not None else None
            if seconds is not None:
                used[name] = seconds
        return used

    return probe


def delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """CPU seconds used between two probes, per process."""
    return {name: after[name] - before[name] for name in after if name in before}
