"""Where ``make run`` places its processes (``REGISTRY_CPU_PINNING``): each gateway on a core of its own, every
other process on the cores left, when it runs replicas and has cores to spare."""

import pytest

from stack.cpus import CpuPlan, plan


def test_replicas_on_two_cores_put_one_gateway_on_the_second_and_the_rest_on_the_first() -> None:
    assert plan({0, 1}, 1, 2, "auto") == CpuPlan((frozenset({1}),), frozenset({0}))
    assert plan([1, 0], 1, 1, "gateways") == CpuPlan((frozenset({1}),), frozenset({0}))


def test_each_gateway_gets_one_of_the_highest_cores_of_those_allowed() -> None:
    placed = plan({2, 3, 5, 7, 11}, 2, 3, "auto")
    assert placed == CpuPlan((frozenset({7}), frozenset({11})), frozenset({2, 3, 5}))


def test_auto_leaves_one_replica_or_a_machine_without_a_core_to_spare_to_the_kernel() -> None:
    assert plan(range(8), 1, 1, "auto") is None
    assert plan({0, 1}, 2, 2, "auto") is None
    assert plan({0}, 1, 2, "auto") is None


def test_off_never_pins() -> None:
    assert plan(range(16), 1, 4, "off") is None


def test_asking_for_gateways_on_too_few_cores_or_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="2 gateway\\(s\\) on 2 core\\(s\\) leave none"):
        plan({0, 1}, 2, 2, "gateways")
    with pytest.raises(ValueError, match="must be one of auto, gateways, off \\(got 'on'\\)"):
        plan({0, 1}, 1, 2, "on")
