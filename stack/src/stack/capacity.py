"""The storage capacity ``make run`` gives storage-svc for its own SeaweedFS, unless ``STORAGE_CAPACITY_BYTES`` says.

An S3 store on a full disk fails writes part-way; storage-svc refuses an ingest or an upload past its capacity with
507 before anything is recorded or written. So the capacity is what the store's data already takes on disk plus
``FREE_SHARE`` of the disk's free space at start, leaving the rest for the databases and logs. What the store takes
on disk includes the space of deleted blobs it has not reclaimed yet, which storage-svc does not count: after much
deletion the capacity runs ahead of the disk by that much (set ``STORAGE_CAPACITY_BYTES`` where that matters).
"""

import os
import shutil
from pathlib import Path

FREE_SHARE = 0.9


def disk_bytes(root: Path) -> int:
    """Bytes the files under ``root`` take on disk (0 when it does not exist yet)."""
    total = 0
    for directory, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_blocks * 512
            except OSError:  # gone meanwhile
                continue
    return total


def default_capacity(root: Path) -> int:
    """The store's data under ``root`` plus ``FREE_SHARE`` of the free space of the disk it is on."""
    existing = root if root.exists() else next(parent for parent in root.parents if parent.exists())
    return disk_bytes(root) + int(shutil.disk_usage(existing).free * FREE_SHARE)
