"""A remote file read through byte ranges, as a read-only seekable file: ``zipfile`` and ``pickletools`` read it as if
it were local, and only the blocks they touch are fetched.

A zip checkpoint then costs its central directory (at the end) and the members read (``archive/data.pkl``, at the
start), not its gigabytes of tensors; a legacy pickle costs the blocks up to its STOP opcode. Reads are fetched in
whole blocks (``block`` bytes, aligned), the last ``cached_blocks`` are kept, and a read spanning missing blocks is
one request. ``budget`` caps the bytes fetched: past it the read raises ``ReadCapReached`` instead of fetching.

``fetch(start, end)`` answers bytes ``[start, end)`` of the file; it may block (it runs in a worker thread) and
raises ``RangeReadError`` when the bytes cannot be had.
"""

import io
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

Fetch = Callable[[int, int], bytes]
DEFAULT_BLOCK: Final = 256 << 10


class RangeReadError(OSError):
    """The remote bytes could not be read (the server refused, failed, or answered something else)."""


class ReadCapReached(Exception):
    """Reading on would fetch more than the file's byte budget."""


class RangeFile(io.RawIOBase):
    """``size`` bytes behind ``fetch``, readable and seekable; counts the bytes it fetched (``fetched``)."""

    def __init__(
        self, fetch: Fetch, size: int, *, budget: int, block: int = DEFAULT_BLOCK, cached_blocks: int = 16
    ) -> None:
        super().__init__()
        self._fetch = fetch
        self._size = size
        self._budget = budget
        self._block = block
        self._cached = cached_blocks
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._pos = 0
        self.fetched = 0
        self.requests = 0

    @property
    def size(self) -> int:
        """The file's length in bytes."""
        return self._size

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Always seekable (every position is one range away)."""
        return True

    def tell(self) -> int:
        """The current position."""
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to ``offset`` from the start, the current position or the end; nothing is fetched."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        """Fill ``buffer`` from the current position (fewer bytes at the end of the file)."""
        end = min(self._pos + len(buffer), self._size)
        if end <= self._pos:
            return 0
        data = self._range(self._pos, end)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        """Up to and including the next newline (or ``size`` bytes, or the end), a block at a time."""
        limit = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        parts: list[bytes] = []
        while self._pos < limit:
            block_end = min((self._pos // self._block + 1) * self._block, limit)
            chunk = self._range(self._pos, block_end)
            newline = chunk.find(b"\n")
            if newline >= 0:
                chunk = chunk[: newline + 1]
            parts.append(chunk)
            self._pos += len(chunk)
            if newline >= 0:
                break
        return b"".join(parts)

    def _range(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)``, fetching the missing blocks (each contiguous run in one request)."""
        first, last = start // self._block, (end - 1) // self._block
        missing = [index for index in range(first, last + 1) if index not in self._blocks]
        for run_start, run_end in _runs(missing):
            self._load(run_start, run_end)
        data = b"".join(self._blocks[index] for index in range(first, last + 1))
        for index in range(first, last + 1):
            self._blocks.move_to_end(index)
        while len(self._blocks) > max(self._cached, last - first + 1):
            self._blocks.popitem(last=False)
        offset = start - first * self._block
        return data[offset : offset + end - start]

    def _load(self, first: int, last: int) -> None:
        start, end = first * self._block, min((last + 1) * self._block, self._size)
        if self.fetched + end - start > self._budget:
            raise ReadCapReached(f"the per-file cap of {self._budget / (1 << 20):g} MB fetched was reached")
        data = self._fetch(start, end)
        self.requests += 1
        if len(data) != end - start:
            raise RangeReadError(f"asked for {end - start} bytes at {start}, got {len(data)}")
        self.fetched += len(data)
        for index in range(first, last + 1):
            offset = (index - first) * self._block
            self._blocks[index] = data[offset : offset + self._block]


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs ``(first, last)`` of sorted block indices."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs
