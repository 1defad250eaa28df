"""CPU time of the processes under test (Linux ``/proc``), to show which one saturates during a scenario."""

import os
import time
from collections.abc import Callable, Mapping

Probe = Callable[[], dict[str, float]]
LOAD_GENERATOR = "load generator"
OTHERS = "rest of the machine"
# /proc/stat's first line: user nice system idle iowait irq softirq steal ...; idle and iowait are not busy.
_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)


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


def machine_busy_seconds() -> float | None:
    """CPU seconds all CPUs spent busy since boot, interrupts included (Linux ``/proc/stat``), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(field) for field in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return sum(fields[i] for i in _BUSY_FIELDS if i < len(fields)) / os.sysconf("SC_CLK_TCK")


def probe_for(pids: Mapping[str, int | None], *, others: bool = False) -> Probe:
    """A function returning the CPU seconds used so far by each named process and by this one.

    With ``others``, also the rest of the machine (``OTHERS``: busy CPU time of all CPUs minus that of the
    named processes and this one): other processes, kernel threads, and the interrupt handling of loopback
    traffic the kernel does not charge to a process. It tells a saturated stack from a shared machine.
    """

    def probe() -> dict[str, float]:
        used = {LOAD_GENERATOR: time.process_time()}
        for name, pid in pids.items():
            seconds = process_cpu_seconds(pid) if pid is not None else None
            if seconds is not None:
                used[name] = seconds
        busy = machine_busy_seconds() if others else None
        if busy is not None:
            used[OTHERS] = busy - sum(used.values())
        return used

    return probe


def delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """CPU seconds used between two probes, per process."""
    return {name: after[name] - before[name] for name in after if name in before}
