"""Static scan of one pickle-based file read through a seekable binary file (local, or a ``RangeFile``): its pickles'
opcodes are parsed with ``pickletools`` and their imports judged by picklescan; nothing is ever unpickled.

What is read, as the loaders read it:

- a **zip** (it starts with ``PK\\x03\\x04``, as ``torch.load`` decides): its central directory, then each member
  named ``*.pkl`` / ``*.pickle`` (``archive/data.pkl``; TorchScript's ``constants.pkl``) — through picklescan's
  relaxed zip reader, which like PyTorch ignores CRCs. Tensor storages (``archive/data/0``...) are raw bytes no loader
  unpickles, so they are never fetched;
- a **legacy PyTorch file** (its first pickle is PyTorch's magic number): the five pickles ``torch.load`` unpickles
  (magic number, protocol, system info, the object, storage keys), then stop: the rest is raw storage bytes;
- **any other file**: its first pickle (what ``pickle.load`` and ``joblib.load`` unpickle), then any further pickles
  that follow it and parse (a loader may read several); bytes that are not a pickle after a complete one are data.

Each pickle is parsed up to its STOP opcode and no further, and at most ``max_bytes`` of it (bytes the loader would
see, after decompression). Its bytes are recorded as they are parsed (spooled to disk past 1 MB) and handed to
picklescan, which finds the imports, following ``STACK_GLOBAL`` through the memo.
"""

import pickletools
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO, Any, Final, cast

from picklescan.relaxed_zipfile import RelaxedZipFile  # type: ignore[import-untyped]
from picklescan.scanner import SafetyLevel, scan_pickle_bytes  # type: ignore[import-untyped]

from scoring.adapters.range_file import RangeFile, RangeReadError, ReadCapReached
from scoring.domain.pickle_safety import PickleRead, is_zip_pickle, printable

ZIP_MAGIC: Final = b"PK\x03\x04"
TORCH_MAGIC: Final = 0x1950A86A20F9469CFC6C
LEGACY_TORCH_PICKLES: Final = 5
MAX_TRAILING_PICKLES: Final = 16
_SPOOL_IN_MEMORY: Final = 1 << 20
_MESSAGE_CHARS: Final = 80
_INTEGER_OPS: Final = frozenset({"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4"})


@dataclass(frozen=True)
class FileRead:
    """The pickles read from one file, and a problem that kept the file itself from being read (None: none)."""

    reads: tuple[PickleRead, ...]
    problem: str | None = None


class _Tap:
    """Reads a stream for ``pickletools`` and keeps a copy of every byte read; at most ``cap`` bytes."""

    def __init__(self, stream: IO[bytes], cap: int) -> None:
        self._stream = stream
        self._cap = cap
        self.copy = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by the caller
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0 or self.count + size > self._cap:
            raise ReadCapReached(f"an opcode asks for {size} more bytes, past the {_megabytes(self._cap)} scan cap")
        return self._keep(self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        line = self._stream.readline(self._cap - self.count + 1)
        if self.count + len(line) > self._cap:
            raise ReadCapReached(f"a line runs past the {_megabytes(self._cap)} scan cap")
        return self._keep(line)

    def tell(self) -> int:
        return self.count

    def _keep(self, data: bytes) -> bytes:
        self.copy.write(data)
        self.count += len(data)
        return data


@dataclass(frozen=True)
class _Parsed:
    read: PickleRead
    opcodes: int
    first_integer: int | None
    length: int


def scan_file(source: RangeFile | IO[bytes], max_bytes: int) -> FileRead:
    """Scan the file ``source`` holds (``RangeReadError`` when its bytes cannot be read)."""
    stream = cast(IO[bytes], source)  # a RangeFile reads like any binary file
    head = stream.read(len(ZIP_MAGIC))
    stream.seek(0)
    if head == ZIP_MAGIC:
        return _scan_zip(stream, max_bytes)
    return _scan_pickles(stream, max_bytes)


def _scan_zip(stream: IO[bytes], max_bytes: int) -> FileRead:
    try:
        archive = RelaxedZipFile(stream)
    except ReadCapReached:
        return FileRead((), f"its zip directory is larger than the {_megabytes(max_bytes)} scan cap")
    except (zipfile.BadZipFile, ValueError, struct.error, EOFError) as error:
        return FileRead((), f"a zip archive that could not be opened ({_short(str(error))}): its pickles were not read")
    with archive:
        reads: list[PickleRead] = []
        for info in archive.infolist():
            if not is_zip_pickle(info.filename):
                continue
            name = printable(info.filename)
            try:
                member = archive.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError) as error:
                reads.append(PickleRead(name, stopped=f"could not be opened ({_short(str(error))})"))
                continue
            with member:
                reads.append(_parse(member, name, max_bytes).read)
    return FileRead(tuple(reads))


def _scan_pickles(stream: IO[bytes], max_bytes: int) -> FileRead:
    first = _parse(stream, "", max_bytes)
    if first.read.stopped is not None or first.first_integer != TORCH_MAGIC:
        reads = (
            [first.read, *_trailing(stream, first.length, max_bytes)] if first.read.stopped is None else [first.read]
        )
        if len(reads) > 1:
            reads = [_renamed(read, f"pickle {number}") for number, read in enumerate(reads, start=1)]
        return FileRead(tuple(reads))
    reads = [first.read]
    offset = first.length
    while len(reads) < LEGACY_TORCH_PICKLES and reads[-1].stopped is None:
        stream.seek(offset)
        parsed = _parse(stream, "", max_bytes)
        reads.append(parsed.read)
        offset += parsed.length
    return FileRead(tuple(_renamed(read, f"pickle {number}") for number, read in enumerate(reads, start=1)))


def _trailing(stream: IO[bytes], offset: int, max_bytes: int) -> list[PickleRead]:
    """Pickles after a complete first one, while they parse; a partial one counts only for dangerous imports."""
    reads: list[PickleRead] = []
    while len(reads) < MAX_TRAILING_PICKLES:
        stream.seek(offset)
        if not stream.read(1):
            break
        stream.seek(offset)
        parsed = _parse(stream, "", max_bytes)
        if parsed.read.stopped is not None:
            if parsed.read.dangerous:
                reads.append(parsed.read)
            break
        reads.append(parsed.read)
        offset += parsed.length
    return reads


def _renamed(read: PickleRead, name: str) -> PickleRead:
    return PickleRead(name, read.stopped, read.dangerous, read.other)


def _parse(stream: IO[bytes], name: str, max_bytes: int) -> _Parsed:
    """Parse one pickle up to its STOP opcode, then judge the imports of what was parsed."""
    tap = _Tap(stream, max_bytes)
    opcodes, first_integer, stopped = 0, None, None
    try:
        for opcode, argument, _ in pickletools.genops(cast(IO[bytes], tap)):
            opcodes += 1
            if opcodes <= 2 and opcode.name in _INTEGER_OPS and isinstance(argument, int):
                first_integer = argument
    except RangeReadError:
        tap.copy.close()
        raise
    except ReadCapReached as cap:
        stopped = f"only its first {tap.count} bytes were read: {cap}"
    except Exception as error:  # pickletools raises ValueError and its relatives on anything malformed
        detail = _short(str(error))
        stopped = (
            f"not a pickle (no opcode could be read: {detail})"
            if opcodes == 0
            else f"parsing stopped at byte {tap.count} ({detail})"
        )
    with tap.copy:
        tap.copy.seek(0)
        dangerous, other, failure = _imports(tap.copy, name)
    if failure is not None and stopped is None:
        stopped = failure
    read = PickleRead(name, stopped=stopped, dangerous=dangerous, other=other)
    return _Parsed(read, opcodes, first_integer, tap.count)


def _imports(copy: IO[bytes], name: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """picklescan's dangerous and other imports of a parsed pickle; a failure of picklescan itself as a reason."""
    try:
        result: Any = scan_pickle_bytes(copy, name or "pickle", multiple_pickles=False)
    except Exception as error:  # picklescan raises ValueError on some malformed STACK_GLOBALs
        return (), (), f"its imports could not be listed ({_short(str(error))})"
    dangerous = sorted({_import_name(g) for g in result.globals if g.safety is SafetyLevel.Dangerous})
    other = sorted({_import_name(g) for g in result.globals if g.safety is SafetyLevel.Suspicious})
    return tuple(dangerous), tuple(other), None


def _import_name(found: Any) -> str:
    return printable(f"{found.module}.{found.name}")


def _short(message: str) -> str:
    """An error message, printable and short (parsers quote the bytes they choke on)."""
    return printable(message if len(message) <= _MESSAGE_CHARS else message[:_MESSAGE_CHARS] + "...")


def _megabytes(count: int) -> str:
    return f"{count / (1 << 20):g} MB"
