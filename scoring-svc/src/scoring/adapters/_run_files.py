"""The open files one sandbox run hands to bubblewrap, and the uid/gid handshake of a root service.

The example and the ``/etc`` files made for the run are memory files (``memfd``) that bubblewrap copies into the
sandbox read only (``--ro-bind-data``): nothing is written to this host's disk. The seccomp filter is one too. When
the service runs as root, two pipes carry the handshake of ``scoring.adapters.bwrap``: bubblewrap writes its child's
pid on ``--info-fd`` and waits on ``--userns-block-fd`` while this process writes that child's uid and gid maps.
Every descriptor is closed here: the child's ends once it started, ours when the run ends.
"""

import asyncio
import contextlib
import json
import os

from scoring.adapters import bwrap
from scoring.adapters.seccomp import user_namespace_filter


class RunFiles:
    """The open files a run hands to bubblewrap: the example and ``/etc`` files, and (root) the handshake pipes."""

    def __init__(self, code: str, as_root: bool) -> None:
        self.data: dict[str, int] = {}
        self._ours: list[int] = []
        self._theirs: list[int] = []
        self.info_w: int | None = None
        self.block_r: int | None = None
        self.seccomp: int | None = None
        self._info_r = self._block_w = -1
        try:
            for path, content in {**bwrap.etc_files(), bwrap.EXAMPLE: code}.items():
                self.data[path] = self._memory_file(path, content.encode(errors="replace"))
            program = user_namespace_filter()
            if program is not None:
                self.seccomp = self._memory_file("/seccomp", program)
            if as_root:
                self._info_r, self.info_w = self._pipe(child_end=1)
                self.block_r, self._block_w = self._pipe(child_end=0)
        except BaseException:
            self.close()
            raise

    @property
    def passed(self) -> tuple[int, ...]:
        return tuple(self._theirs)

    def _memory_file(self, path: str, content: bytes) -> int:
        fd = os.memfd_create("sandbox" + path.replace("/", "-"))
        self._theirs.append(fd)
        os.write(fd, content)  # memfd writes are whole
        os.lseek(fd, 0, os.SEEK_SET)
        return fd

    def _pipe(self, child_end: int) -> tuple[int, int]:
        """A pipe whose end ``child_end`` (0: read, 1: write) bubblewrap gets."""
        ends = os.pipe()
        self._theirs.append(ends[child_end])
        self._ours.append(ends[1 - child_end])
        return ends

    async def map_users(self) -> bool:
        """Read bubblewrap's child pid, write its uid and gid maps, then let it go on (root services only).

        False when that failed (bubblewrap ended early, or the maps were refused): the child is then left blocked.
        """
        info = await asyncio.to_thread(_read_all, self._info_r)
        try:
            pid = int(json.loads(info)["child-pid"])
            await asyncio.to_thread(_write_maps, pid)
            os.write(self._block_w, b"1")
        except (ValueError, KeyError, TypeError, OSError):
            return False
        return True

    def close_child_ends(self) -> None:
        """Close what only the child needs, once it has it (so a dead child ends our reads)."""
        for fd in self._theirs:
            os.close(fd)
        self._theirs = []

    def close(self) -> None:
        for fd in (*self._ours, *self._theirs):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._ours, self._theirs = [], []

    def __enter__(self) -> "RunFiles":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_maps(pid: int) -> None:
    for name, content in bwrap.user_maps().items():
        with open(f"/proc/{pid}/{name}", "w", encoding="ascii") as handle:
            handle.write(content)
