"""A tar archive as a stream: header blocks computed here, file bodies supplied by the caller."""

import tarfile

BLOCK = 512
ARCHIVE_MTIME = 0


def member_header(path: str, size: int) -> bytes:
    """The PAX tar header of a regular file (read-only, fixed time so archives are reproducible)."""
    info = tarfile.TarInfo(name=path)
    info.size = size
    info.mode = 0o444
    info.mtime = ARCHIVE_MTIME
    return info.tobuf(format=tarfile.PAX_FORMAT)


def padding(size: int) -> bytes:
    """Zero bytes that round a member body up to a whole block."""
    return b"\0" * (-size % BLOCK)


def end_of_archive() -> bytes:
    """Two zero blocks close a tar archive."""
    return b"\0" * (2 * BLOCK)


def archive_size(members: list[tuple[str, int]]) -> int:
    """The exact byte count of the archive of ``members`` (path, size), as the stream will produce it."""
    return sum(len(member_header(path, size)) + size + len(padding(size)) for path, size in members) + 2 * BLOCK
