"""Bytes passed on as they arrive, yet never a whole wrong file: the last chunk waits for the check."""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from storage.domain.files import GitBlobHasher


@dataclass(frozen=True)
class Expected:
    """What the upstream publishes for a file: the bytes an upload must match before it is kept."""

    size: int | None = None
    sha256: str | None = None
    git_oid: str | None = None

    def mismatch(self, size: int, sha256: str, git_oid: str | None = None) -> str:
        """Why bytes of ``size``, ``sha256`` (and git blob id) are not the published file ("" when they are)."""
        if self.size is not None and size != self.size:
            return f"received {size:,} bytes where the upstream publishes {self.size:,}"
        if self.sha256 is not None and sha256 != self.sha256:
            return f"received bytes with sha256 {sha256} where the upstream publishes {self.sha256}"
        if self.git_oid is not None and git_oid is not None and git_oid != self.git_oid:
            return f"received bytes with git blob id {git_oid} where the upstream publishes {self.git_oid}"
        return ""


class ContentMismatch(Exception):
    """Received bytes differ from what the upstream publishes; nothing was kept under the file's address."""


async def verified(chunks: AsyncIterator[bytes], expected: Expected) -> AsyncIterator[bytes]:
    """Yield ``chunks``, holding the latest one back until the next arrives; at the end, check size and sha256
    against ``expected`` and yield the held chunk only if they match, else raise ``ContentMismatch``.

    A client therefore receives at most all but the final chunk of a wrong file: its download ends short (the
    response announced the published length) instead of completing with altered bytes.
    """
    digest, size, held = hashlib.sha256(), 0, b""
    git = GitBlobHasher(expected.size) if expected.git_oid and expected.size is not None else None
    async for chunk in chunks:
        if not chunk:
            continue
        if held:
            yield held
        digest.update(chunk)
        if git is not None:
            git.update(chunk)
        size += len(chunk)
        held = chunk
    wrong = expected.mismatch(size, digest.hexdigest(), git.hexdigest() if git is not None else None)
    if wrong:
        raise ContentMismatch(wrong)
    if held:
        yield held
