"""The process shape every service shares: what it does to the heap before serving."""

import gc
from collections.abc import Iterator

import pytest

from svckit.runner import settle_heap


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("thawed")
def test_settling_puts_what_is_alive_out_of_the_collectors_reach() -> None:
    kept = [[index] for index in range(200_000)]  # long-lived, like a service's imports and state (lists: tracked)
    settle_heap()
    assert gc.get_freeze_count() >= len(kept)
    tracked = {id(item) for item in gc.get_objects()}  # what a full collection walks
    assert not any(id(item) in tracked for item in kept)
