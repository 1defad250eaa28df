"""Downloads that resume and verify: bytes go to ``<name>.part`` (resumed with ``Range`` when the server honours
it), every file's sha256 is checked against the package view, and only verified files get their final names."""

import contextlib
import hashlib
import os
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

import httpx

from registry_client import ops
from registry_client.client import RegistryClient
from registry_client.errors import ChecksumMismatch, RegistryError, from_response, from_transport
from registry_client.models import Artifact, DownloadLink, PackageFile, PackageView

Started = Callable[[int | None, int], None]
"""Called once the transfer starts: the total length (None when unknown) and the bytes already in the ``.part``."""
Advanced = Callable[[int], None]
"""Called with each chunk's length."""


@dataclass(frozen=True)
class Fetched:
    """A file the download wrote: its final path, its sha256 and whether the registry's checksum confirmed it."""

    path: Path
    sha256: str
    verified: bool


@dataclass(frozen=True)
class Transfer:
    """What one download did: the files written, the bytes resumed from a ``.part`` and the bytes received."""

    files: list[Fetched]
    resumed_from: int
    received: int


def files_of(view: PackageView, part: str) -> list[PackageFile]:
    """The package's files a download of ``part`` holds."""
    return [f for f in view.files if part == "all" or f.part == part]


def part_file(out_dir: Path, artifact: Artifact, part: str, files: list[PackageFile]) -> Path:
    """Where the bytes are received: ``<file name>.part`` for a single file, ``<id>-<part>.tar.part`` else."""
    if len(files) == 1:
        return out_dir / f"{_file_name(files[0])}.part"
    return out_dir / f"{artifact.metadata.id}-{part}.tar.part"


def _file_name(file: PackageFile) -> str:
    """The name a single downloaded file gets in the output directory: the last segment of its path, which must be
    a plain name (the path comes from the server)."""
    name = PurePosixPath(file.path).name
    if name in ("", ".", "..") or "\\" in name:
        raise ChecksumMismatch(f"the package view names a file {file.path!r}, which cannot be written; nothing kept")
    return name


def download(
    client: RegistryClient, artifact: Artifact, part: str, out_dir: Path, started: Started, advanced: Advanced
) -> Transfer:
    """Download ``part`` of ``artifact`` into ``out_dir``, resuming a ``.part`` left by an interrupted run."""
    view = client.send(ops.package(artifact.metadata.type, artifact.metadata.id))
    files = files_of(view, part)
    if not files:
        raise RegistryError(404, f"The package of {artifact.metadata.id} has no {part} files.")
    link = client.send(ops.download_link(artifact.metadata.id, part))
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = part_file(out_dir, artifact, part, files)
    resumed, received = _receive(link, partial, started, advanced)
    digest = _sha256_of(partial)
    if link.sha256 and digest != link.sha256:
        partial.unlink()
        raise ChecksumMismatch(f"received bytes hash to {digest}, the registry announced {link.sha256}; discarded")
    if len(files) == 1:
        fetched = [_place_single(partial, out_dir, files[0], digest)]
    else:
        fetched = _unpack(partial, out_dir, files)
        partial.unlink()
    return Transfer(fetched, resumed, received)


def _receive(link: DownloadLink, partial: Path, started: Started, advanced: Advanced) -> tuple[int, int]:
    """Fetch the link into ``partial``, asking only for the rest when a ``.part`` exists; (resumed, received)."""
    have = partial.stat().st_size if partial.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with httpx.Client(timeout=httpx.Timeout(60.0)) as http, _stream(http, link.url, headers) as response:
        if response.status_code == 416 and have:  # the .part is longer than the file: it cannot be a prefix of it
            partial.unlink()
            return _receive(link, partial, started, advanced)  # once: without a .part no range is asked
        if response.status_code not in (200, 206):
            raise from_response(response)
        if response.status_code == 200 or not response.headers.get("Content-Range", "").startswith(f"bytes {have}-"):
            have = 0  # the server sent the whole file (it ignores ranges): start over
        started(link.size, have)
        received = 0
        with partial.open("ab" if have else "wb") as sink:
            for chunk in response.iter_bytes():  # as received: a broken-off transfer keeps every byte that came
                if link.size is not None and have + received + len(chunk) > link.size:
                    raise RegistryError(0, f"the server sent more than the {link.size} bytes it announced; stopped")
                sink.write(chunk)
                received += len(chunk)
                advanced(len(chunk))
    if link.size is not None and have + received != link.size:
        raise RegistryError(0, f"the transfer ended at {have + received} of {link.size} bytes; run again to resume")
    return have, received


@contextlib.contextmanager
def _stream(http: httpx.Client, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
    request = http.build_request("GET", url, headers=headers)
    try:
        response = http.send(request, stream=True)
    except httpx.HTTPError as error:
        raise from_transport(error, request) from error
    try:
        if response.status_code not in (200, 206, 416):
            response.read()
        yield response
    except httpx.HTTPError as error:
        raise RegistryError(0, f"the transfer broke off ({error}); run again to resume") from error
    finally:
        response.close()


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _expected(file: PackageFile) -> str | None:
    return file.sha256 or file.upstream_sha256


def _place_single(partial: Path, out_dir: Path, file: PackageFile, digest: str) -> Fetched:
    expected = _expected(file)
    if expected and digest != expected:
        partial.unlink()
        raise ChecksumMismatch(f"{file.path}: sha256 {digest}, the package view lists {expected}; discarded")
    final = out_dir / _file_name(file)
    os.replace(partial, final)
    return Fetched(final, digest, expected is not None)


def _unpack(archive: Path, out_dir: Path, files: list[PackageFile]) -> list[Fetched]:
    """Extract every member to a temporary name, check each sha256, then rename them all (or none)."""
    wanted = {f.path: f for f in files}
    staged: list[tuple[Path, Path, str, bool]] = []
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                staged.append(_stage(tar, member, out_dir, wanted))
                del wanted[member.name]  # a name the archive holds twice is not wanted the second time
        missing = sorted(wanted)
        if missing:
            raise ChecksumMismatch(f"the archive lacks {', '.join(missing)}; nothing kept")
    except BaseException:
        for temporary, _, _, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    fetched = []
    for temporary, final, digest, verified in staged:
        os.replace(temporary, final)
        fetched.append(Fetched(final, digest, verified))
    return fetched


def _stage(
    tar: tarfile.TarFile, member: tarfile.TarInfo, out_dir: Path, wanted: dict[str, PackageFile]
) -> tuple[Path, Path, str, bool]:
    file = wanted.get(member.name)
    name = PurePosixPath(member.name)
    if file is None or not member.isfile() or name.is_absolute() or ".." in name.parts:
        raise ChecksumMismatch(f"the archive holds {member.name!r}, which the package view does not list; nothing kept")
    if member.size != file.size:
        raise ChecksumMismatch(f"{member.name}: {member.size} bytes, the package view lists {file.size}; nothing kept")
    final = out_dir.joinpath(*name.parts)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.registry-tmp")
    source = tar.extractfile(member)
    assert source is not None  # a regular file always has a body
    try:
        digest = _copy_hashing(source, temporary)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    expected = _expected(file)
    if expected and digest != expected:
        temporary.unlink()
        raise ChecksumMismatch(f"{member.name}: sha256 {digest}, the package view lists {expected}; nothing kept")
    return temporary, final, digest, expected is not None


def _copy_hashing(source: IO[bytes], target: Path) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as sink:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            sink.write(chunk)
    return digest.hexdigest()
