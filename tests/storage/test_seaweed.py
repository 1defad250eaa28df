"""SeaweedFS as ``make run`` and the tests start it: loopback only, chosen ports, S3 authentication on."""

import json
import os
import socket
import stat
from pathlib import Path

import aiohttp
import pytest

from stack.processes import Child, wait_for_port
from stack.s3probe import S3Credentials, head_bucket
from stack.seaweed import (
    CREDENTIALS_FILE,
    IDENTITIES_FILE,
    SeaweedS3,
    prepare_seaweed,
    start_seaweed,
    wait_seaweed_ready,
)
from storage.adapters.s3 import S3BlobStore, S3Error, open_s3
from tests.storage.conftest import single


async def test_credentials_are_generated_once_and_reused_across_restarts_with_the_objects(tmp_path: Path) -> None:
    root = tmp_path / "seaweed"
    child, first = start_seaweed(root, "kept", log_file=tmp_path / "first.log")
    try:
        async with open_s3(first.endpoint_url, first.access_key, first.secret_key, first.region) as client:
            await S3BlobStore(client, first.bucket).upload_stream("model.bin", single(b"weights"))
    finally:
        child.stop()
    stored = (root / CREDENTIALS_FILE).read_text()

    child, second = start_seaweed(root, "kept", log_file=tmp_path / "second.log")
    try:
        async with open_s3(second.endpoint_url, second.access_key, second.secret_key, second.region) as client:
            assert await S3BlobStore(client, second.bucket).read_range("model.bin", 0, 6) == b"weights"
    finally:
        child.stop()

    assert (second.access_key, second.secret_key) == (first.access_key, first.secret_key)
    assert (root / CREDENTIALS_FILE).read_text() == stored
    assert json.loads(stored)["secret_access_key"] == first.secret_key
    assert len(first.access_key) == 20 and len(first.secret_key) >= 40
    for name in (CREDENTIALS_FILE, IDENTITIES_FILE):
        assert stat.S_IMODE((root / name).stat().st_mode) == 0o600


@pytest.mark.parametrize("method", ["GET", "PUT"])
async def test_anonymous_requests_are_refused(seaweed: SeaweedS3, method: str) -> None:
    url = f"{seaweed.endpoint_url}/{seaweed.bucket}/anonymous.bin"
    async with aiohttp.ClientSession() as http, http.request(method, url, data=b"x" if method == "PUT" else None) as r:
        assert r.status == 403
        assert "AccessDenied" in await r.text()
    async with aiohttp.ClientSession() as http, http.get(f"{seaweed.endpoint_url}/{seaweed.bucket}") as listing:
        assert listing.status == 403


@pytest.mark.parametrize(("wrong", "code"), [("secret", "SignatureDoesNotMatch"), ("access_key", "InvalidAccessKeyId")])
async def test_requests_signed_with_wrong_credentials_are_refused(seaweed: SeaweedS3, wrong: str, code: str) -> None:
    access_key = "AKNOTAREALKEY0000000" if wrong == "access_key" else seaweed.access_key
    secret_key = "not-the-secret" if wrong == "secret" else seaweed.secret_key
    async with open_s3(seaweed.endpoint_url, access_key, secret_key, seaweed.region) as client:
        with pytest.raises(S3Error) as refused:
            await S3BlobStore(client, seaweed.bucket).upload_stream("forged.bin", single(b"x"))
    assert refused.value.code == code


def test_weed_listens_only_on_the_chosen_ports_and_only_on_loopback(tmp_path: Path) -> None:
    launch = prepare_seaweed(tmp_path / "seaweed", "ports")
    child = Child("seaweed", launch.argv, launch.env, log_file=tmp_path / "weed.log")
    child.start()
    try:
        wait_seaweed_ready(launch.s3, child=child)
        wait_for_port(launch.ports.admin, child=child)  # the admin server and its worker start last
        wait_for_port(launch.ports.admin_grpc, child=child)
        assert child.pid is not None
        bound = _bound_sockets(child.pid)
    finally:
        child.stop()

    assert {host for host, _ in bound} == {"127.0.0.1"}
    assert {port for _, port in bound} == launch.ports.all() - {launch.ports.webdav}


async def test_the_filer_http_api_refuses_unsigned_reads_and_writes(tmp_path: Path) -> None:
    launch = prepare_seaweed(tmp_path / "seaweed", "filer")
    child = Child("seaweed", launch.argv, launch.env, log_file=tmp_path / "weed.log")
    child.start()
    try:
        wait_seaweed_ready(launch.s3, child=child)
        s3 = launch.s3
        async with open_s3(s3.endpoint_url, s3.access_key, s3.secret_key, s3.region) as client:
            await S3BlobStore(client, s3.bucket).upload_stream("secret.bin", single(b"weights"))
        object_url = f"http://127.0.0.1:{launch.ports.filer}/buckets/{s3.bucket}/secret.bin"
        async with aiohttp.ClientSession() as http:
            async with http.get(object_url) as read:
                assert read.status == 401
            async with http.put(object_url, data=b"overwritten") as write:
                assert write.status == 401
    finally:
        child.stop()


def test_the_secret_is_neither_on_the_command_line_nor_in_reprs(tmp_path: Path) -> None:
    launch = prepare_seaweed(tmp_path / "seaweed", "bucket")

    assert launch.s3.secret_key not in " ".join(launch.argv)  # argv is visible to every user (ps)
    assert launch.s3.secret_key not in repr(launch)


def _bound_sockets(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket and every bound UDP socket owned by ``pid``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue  # closed since the listing (weed opens and closes connections all the time)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    bound = set()
    for table, family in (
        ("tcp", socket.AF_INET),
        ("tcp6", socket.AF_INET6),
        ("udp", socket.AF_INET),
        ("udp6", socket.AF_INET6),
    ):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if inode in inodes and (state == "0A" or table.startswith("udp")):
                address, port = local.split(":")
                bound.add((_decode_address(address, family), int(port, 16)))
    return bound


def _decode_address(hex_address: str, family: int) -> str:
    """/proc/net/tcp* prints addresses as 32-bit words in host (little-endian) order."""
    raw = b"".join(bytes.fromhex(hex_address[i : i + 8])[::-1] for i in range(0, len(hex_address), 8))
    return socket.inet_ntop(family, raw)


def test_the_readiness_probe_gets_200_only_for_an_existing_bucket_and_the_right_secret(seaweed: SeaweedS3) -> None:
    right = S3Credentials(seaweed.access_key, seaweed.secret_key, seaweed.region)
    wrong = S3Credentials(seaweed.access_key, "not-the-secret", seaweed.region)

    assert head_bucket(seaweed.endpoint_url, seaweed.bucket, right) == 200
    assert head_bucket(seaweed.endpoint_url, seaweed.bucket, wrong) == 403
    assert head_bucket(seaweed.endpoint_url, "no-such-bucket", right) == 404
