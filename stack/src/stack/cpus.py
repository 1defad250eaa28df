"""Which cores the gateways and the rest of ``make run`` run on (``REGISTRY_CPU_PINNING``).

The gateway is what bounds reads on ``make run`` (README, "Hot path"). On a machine with few cores it shares its core
with the services, NATS and S3, and their wake-ups preempt it. With two replicas of each service on two cores it was
preempted 2.7 times as often per GET, and two replicas served 0.82 times the GETs of one. ``gateways`` gives each
gateway a core of its own and leaves every other process of the stack the cores that are left: the supervisor's
children inherit its affinity, and each gateway is moved to its core as it starts. ``off`` leaves placement to the
kernel. ``auto`` (the default) is ``gateways`` when the stack runs more than one replica of the services and has a
core to spare for the rest, else ``off``: with one replica, pinning on two cores made reads no faster beyond the
noise and copies of large artifacts a fifth slower (their hashing and S3 writes then share one core). Pure:
``stack.__main__`` applies the plan.
"""

from collections.abc import Collection
from dataclasses import dataclass

MODES = ("auto", "gateways", "off")


@dataclass(frozen=True)
class CpuPlan:
    """The cores of each gateway (one each, the first gateway first) and those of every other process."""

    gateways: tuple[frozenset[int], ...]
    rest: frozenset[int]


def plan(available: Collection[int], gateways: int, replicas: int, mode: str) -> CpuPlan | None:
    """The placement of ``gateways`` gateways and ``replicas`` replicas of each service on the ``available`` cores,
    or None to leave it to the kernel.

    The gateways take the highest cores (the lowest often serve more interrupts). ``gateways`` with no core left
    for the rest is refused (``ValueError``); ``auto`` then does not pin."""
    if mode not in MODES:
        raise ValueError(f"must be one of {', '.join(MODES)} (got {mode!r})")
    cores = sorted(available)
    if mode == "off" or (mode == "auto" and (replicas < 2 or len(cores) <= gateways)):
        return None
    if len(cores) <= gateways:
        raise ValueError(f"{gateways} gateway(s) on {len(cores)} core(s) leave none for the other processes")
    own = cores[len(cores) - gateways :]
    return CpuPlan(tuple(frozenset({core}) for core in own), frozenset(cores[: len(cores) - gateways]))
