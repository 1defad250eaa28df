"""Signed download links and verified pass-through streams (storage's domain, no I/O)."""

import hashlib
import tarfile
from collections.abc import AsyncIterator
from io import BytesIO

import pytest

from storage.domain.links import LinkTarget, link_url, sign, valid
from storage.domain.tar import archive_size, end_of_archive, member_header, padding
from storage.domain.verify import ContentMismatch, Expected, verified

KEY = b"k" * 32
TARGET = LinkTarget(artifact_id="42", part="all", generation=3, expires=2_000_000_000)


def test_a_link_is_valid_only_as_signed_and_until_it_expires() -> None:
    signature = sign(TARGET, KEY)
    assert valid(TARGET, signature, KEY, now=1_999_999_999) == ""
    assert "expired" in valid(TARGET, signature, KEY, now=2_000_000_001)
    assert "not valid" in valid(TARGET, signature, b"other-key" * 4, now=0)
    for changed in (
        LinkTarget("43", "all", 3, TARGET.expires), LinkTarget("42", "weights", 3, TARGET.expires),
        LinkTarget("42", "all", 4, TARGET.expires), LinkTarget("42", "all", 3, TARGET.expires + 1),
        LinkTarget("42", "all", 3, TARGET.expires, path="config.json"),
    ):  # fmt: skip
        assert "not valid" in valid(changed, signature, KEY, now=0)
    assert link_url("http://h:1/", TARGET, KEY) == f"http://h:1/bytes/42/all?g=3&exp=2000000000&sig={signature}"


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_verified_stream_passes_right_bytes_and_holds_back_the_end_of_wrong_ones() -> None:
    body = b"a" * 10 + b"b" * 10
    right = Expected(size=20, sha256=hashlib.sha256(body).hexdigest())
    assert [c async for c in verified(_chunks(b"a" * 10, b"b" * 10), right)] == [b"a" * 10, b"b" * 10]
    received: list[bytes] = []

    async def drain(chunks: AsyncIterator[bytes]) -> None:
        async for chunk in chunks:
            received.append(chunk)

    with pytest.raises(ContentMismatch, match="sha256"):
        await drain(verified(_chunks(b"a" * 10, b"c" * 10), right))
    assert received == [b"a" * 10]  # the last chunk, which makes the file whole, is never passed on
    with pytest.raises(ContentMismatch, match="received 10 bytes where the upstream publishes 20"):
        await drain(verified(_chunks(b"a" * 10), right))


def test_the_archive_size_is_known_before_the_archive_is_built() -> None:
    members = [("config.json", 9), ("dir/model.safetensors", 1025)]
    stream = b"".join(member_header(p, s) + b"x" * s + padding(s) for p, s in members) + end_of_archive()
    assert archive_size(members) == len(stream)
    with tarfile.open(fileobj=BytesIO(stream)) as archive:
        assert [(m.name, m.size) for m in archive.getmembers()] == members
