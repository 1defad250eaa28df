"""The storage capacity ``make run`` gives storage-svc for its own SeaweedFS: its data plus 90% of the disk's free
space, so an ingest past it answers 507 before the disk fills."""

import shutil
from pathlib import Path

from stack.capacity import FREE_SHARE, default_capacity, disk_bytes


def test_the_capacity_is_the_stores_data_plus_most_of_the_free_space(tmp_path: Path) -> None:
    store = tmp_path / "seaweed"
    (store / "volumes").mkdir(parents=True)
    (store / "volumes" / "1.dat").write_bytes(b"\1" * 200_000)
    held = disk_bytes(store)
    assert held >= 200_000  # what the files take on disk, in whole blocks
    free = shutil.disk_usage(store).free
    capacity = default_capacity(store)
    assert abs(capacity - (held + free * FREE_SHARE)) < 1 << 20  # the free space moves a little meanwhile


def test_a_store_not_created_yet_gets_most_of_the_free_space_of_its_disk(tmp_path: Path) -> None:
    capacity = default_capacity(tmp_path / "data" / "seaweed")
    assert 0 < capacity <= shutil.disk_usage(tmp_path).free
