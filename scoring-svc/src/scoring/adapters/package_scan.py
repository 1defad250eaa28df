"""Static scan of an uploaded package file: the file itself when it is pickle-based (``.bin``, ``.pt``, ...), else
the pickle-based members of an archive a user unpacks before loading (zip, or tar, compressed or not). Nothing is
unpickled, nothing is extracted to disk.

Members are read where they sit, through the seekable ``source`` (a ``RangeFile`` on the bucket): a zip's central
directory, then each pickle-based member (a stored member is one range; a deflated one is decompressed as far as the
scan reads); a tar's headers block by block (an uncompressed tar's member data is skipped by seeking, a compressed
tar is decompressed as it is walked). Every byte fetched counts against the file's one budget, so a large compressed
archive stops at the cap and is reported unscanned with the reason.
"""

import tarfile
import zipfile
from typing import IO, Final

from picklescan.relaxed_zipfile import RelaxedZipFile  # type: ignore[import-untyped]

from scoring.adapters.pickle_scan import ZIP_MAGIC, FileRead, scan_file
from scoring.adapters.range_file import RangeReadError, ReadCapReached
from scoring.domain.pickle_safety import is_pickle_based, printable

TAR_SUFFIXES: Final = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
MAX_MEMBERS: Final = 10_000
_TAR_MAGIC_AT: Final = 257
_HEAD: Final = 512


# Formats whose readers never unpickle (an ``.npz`` or a Keras ``.h5`` may: not listed).
NO_PICKLE_FORMATS = (".safetensors", ".json", ".txt", ".md", ".gguf", ".onnx", ".msgpack", ".model", ".tflite")


def cannot_hold_pickles(filename: str) -> bool:
    """Whether a file of this name is of a format that holds no pickles (a scan still sniffs its first bytes)."""
    return filename.lower().endswith(NO_PICKLE_FORMATS)


def may_hold_pickles(filename: str) -> bool:
    """Whether a file of this name is pickle-based or an archive that may hold such files (judged by name alone)."""
    return is_pickle_based(filename) or filename.lower().endswith((".zip", *TAR_SUFFIXES))


def scan_package(source: IO[bytes], filename: str, max_bytes: int) -> list[tuple[str, FileRead]]:
    """The scanned pickle-based parts of the uploaded ``filename``: ``("", read)`` for the file itself, or
    ``(member, read)`` per pickle-based member of an archive; [] when it holds none."""
    if is_pickle_based(filename):
        return [("", scan_file(source, max_bytes))]
    head = source.read(_HEAD)
    source.seek(0)
    name = filename.lower()
    if head.startswith(ZIP_MAGIC) or name.endswith(".zip"):
        return _zip_members(source, max_bytes)
    if head[_TAR_MAGIC_AT : _TAR_MAGIC_AT + 5] == b"ustar" or name.endswith(TAR_SUFFIXES):
        return _tar_members(source, max_bytes)
    return []


def _zip_members(source: IO[bytes], max_bytes: int) -> list[tuple[str, FileRead]]:
    try:
        archive = RelaxedZipFile(source)
    except RangeReadError:
        raise
    except ReadCapReached:
        return [("", FileRead((), f"its zip directory is larger than the {max_bytes >> 20} MB scan cap"))]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        return [("", FileRead((), f"a zip archive that could not be opened ({_short(error)})"))]
    parts: list[tuple[str, FileRead]] = []
    with archive:
        for info in archive.infolist()[:MAX_MEMBERS]:
            if info.is_dir() or not is_pickle_based(info.filename):
                continue
            name = printable(info.filename)
            try:
                with archive.open(info) as member:
                    parts.append((name, scan_file(member, max_bytes)))
            except ReadCapReached as cap:
                parts.append((name, FileRead((), f"only partly read: {cap}")))
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError) as error:
                parts.append((name, FileRead((), f"could not be opened ({_short(error)})")))
    return parts


def _tar_members(source: IO[bytes], max_bytes: int) -> list[tuple[str, FileRead]]:
    parts: list[tuple[str, FileRead]] = []
    try:
        with tarfile.open(fileobj=source, mode="r:*") as archive:
            for count, info in enumerate(archive):
                if count >= MAX_MEMBERS:
                    break
                if not (info.isfile() or info.islnk() or info.issym()) or not is_pickle_based(info.name):
                    continue
                parts.append((printable(info.name), _tar_member(archive, info, max_bytes)))
    except RangeReadError:
        raise
    except ReadCapReached as cap:
        parts.append(("", FileRead((), f"the archive was only partly walked: {cap}")))
    except (tarfile.TarError, EOFError, ValueError, OSError) as error:
        parts.append(("", FileRead((), f"a tar archive that could not be read to its end ({_short(error)})")))
    return parts


def _tar_member(archive: tarfile.TarFile, info: tarfile.TarInfo, max_bytes: int) -> FileRead:
    try:
        member = archive.extractfile(info)
    except (KeyError, tarfile.TarError) as error:  # a link to a member the archive does not hold
        return FileRead((), f"could not be opened ({_short(error)})")
    if member is None:
        return FileRead((), "not a regular file")
    with member:
        return scan_file(member, max_bytes)


def _short(error: BaseException) -> str:
    message = str(error) or type(error).__name__
    return printable(message if len(message) <= 80 else message[:80] + "...")
