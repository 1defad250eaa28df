"""RangeFile: a remote file read through byte ranges fetches only the blocks its readers touch, within a budget."""

import io
import zipfile
from dataclasses import dataclass, field

import pytest

from scoring.adapters.range_file import RangeFile, RangeReadError, ReadCapReached

KB = 1 << 10


@dataclass
class CountingRanges:
    """``data`` served by ranges, remembering each range asked for."""

    data: bytes
    asked: list[tuple[int, int]] = field(default_factory=list)
    short: bool = False

    def fetch(self, start: int, end: int) -> bytes:
        self.asked.append((start, end))
        return self.data[start : end - 1] if self.short else self.data[start:end]


def _file(
    data: bytes, *, block: int = 4 * KB, budget: int = 1 << 30, cached: int = 16
) -> tuple[RangeFile, CountingRanges]:
    ranges = CountingRanges(data)
    return RangeFile(ranges.fetch, len(data), budget=budget, block=block, cached_blocks=cached), ranges


def test_reads_and_seeks_like_a_local_file() -> None:
    data = bytes(range(256)) * 100
    remote, _ = _file(data)
    local = io.BytesIO(data)
    for offset, whence, size in [(0, 0, 10), (5000, 0, 9000), (-300, 2, 1000), (-20, 1, 5), (25_000, 0, 10)]:
        assert remote.seek(offset, whence) == local.seek(offset, whence)
        assert remote.read(size) == local.read(size)
        assert remote.tell() == local.tell()


def test_only_the_blocks_touched_are_fetched_each_once() -> None:
    remote, ranges = _file(b"x" * (1000 * KB), block=4 * KB)
    remote.seek(10 * KB)
    remote.read(100)
    remote.seek(10 * KB + 50)
    remote.read(100)
    remote.seek(-10, io.SEEK_END)
    remote.read()
    assert ranges.asked == [(8 * KB, 12 * KB), (996 * KB, 1000 * KB)]
    assert remote.fetched == 8 * KB and remote.requests == 2


def test_a_read_over_missing_blocks_is_one_request() -> None:
    remote, ranges = _file(b"y" * (100 * KB), block=4 * KB)
    assert len(remote.read(30 * KB)) == 30 * KB
    assert ranges.asked == [(0, 32 * KB)]


def test_readline_stops_at_the_newline_across_blocks() -> None:
    data = b"a" * 6000 + b"\n" + b"tail\n"
    remote, _ = _file(data, block=4 * KB)
    assert remote.readline() == b"a" * 6000 + b"\n"
    assert remote.readline() == b"tail\n"
    assert remote.readline() == b""


def test_past_the_budget_a_read_raises_instead_of_fetching() -> None:
    remote, ranges = _file(b"z" * (64 * KB), block=4 * KB, budget=8 * KB)
    remote.read(8 * KB)
    with pytest.raises(ReadCapReached):
        remote.read(1)
    assert ranges.asked == [(0, 8 * KB)]


def test_an_answer_of_the_wrong_length_is_an_error() -> None:
    remote, ranges = _file(b"w" * 10 * KB)
    ranges.short = True
    with pytest.raises(RangeReadError):
        remote.read(10)


def test_few_cached_blocks_are_kept() -> None:
    remote, ranges = _file(b"v" * (64 * KB), block=4 * KB, cached=2)
    for offset in (0, 4 * KB, 8 * KB, 0):
        remote.seek(offset)
        remote.read(1)
    assert [start for start, _ in ranges.asked] == [0, 4 * KB, 8 * KB, 0]


def test_zipfile_reads_a_checkpoints_directory_and_one_member_without_the_rest() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        zf.writestr("archive/data/0", b"\x00" * (8 << 20))
        zf.writestr("archive/version", b"3\n")
    data = buffer.getvalue()
    remote, _ = _file(data, block=64 * KB)
    with zipfile.ZipFile(remote) as archive:
        assert archive.read("archive/data.pkl") == b"\x80\x02}q\x00."
    assert remote.fetched <= 2 * 64 * KB < len(data) // 50
