"""``ModelCopy`` port on the Hub: a Hub model's files, fetched and verified, laid out as a read-only hub cache.

The files come from ``HF_ENDPOINT``'s resolve URLs at the commit ``model_info`` named — the endpoint and revision the
registry's stored copy is made from — so they are the bytes storage-svc keeps, without waiting for its background
copy (which may not have started when the model is rated at ingest) and without reading its store. Which files:
``scoring.domain.offline_files`` (support files, then one weight format, within ``SANDBOX_MODEL_MAX_MB``). Each file
is checked against the size and digest the Hub publishes (LFS sha256, else the git blob sha1); a file that differs,
or that the Hub does not serve, is left out and named in ``OfflineModel.incomplete``.

Layout (huggingface_hub's cache, so ``hf_hub_download``, ``snapshot_download`` and ``from_pretrained`` find it with
``HF_HUB_OFFLINE=1``): ``hub/models--{org}--{name}/refs/main`` holding the commit, the files under
``snapshots/{commit}/`` (plain files, no blob symlinks), and ``models--{alias}`` links for the name the model was
registered under when the Hub's canonical id differs (``gpt2`` → ``openai-community/gpt2``). Directories are
world-readable: the sandbox's user is not this service's. The directory is removed when the context ends.
"""

import asyncio
import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog

from scoring.domain.offline_files import select_offline_files
from scoring.ports import HubModel, OfflineModel, PublishedHash
from svckit.upstream import UpstreamDown, UpstreamError
from svckit.upstream_client import UpstreamClient
from svckit.upstream_paths import BadUpstreamUrl

_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")
_PARALLEL = 4


class FileRejected(Exception):
    """A file the Hub served that is not the one it published (size or digest)."""


class HubModelCopy:
    """Copies a Hub model's files (up to ``max_bytes``) into a temporary hub cache for one reproduction."""

    def __init__(self, client: UpstreamClient, max_bytes: int) -> None:
        self._client = client
        self._max_bytes = max_bytes

    @asynccontextmanager
    async def offline(self, model: HubModel, aliases: Sequence[str], with_weights: bool) -> AsyncIterator[OfflineModel]:
        """The model's files as a hub cache (the copy's ``cache`` None when nothing could be laid out)."""
        if model.commit is None:
            yield OfflineModel(cache=None, incomplete="the Hub named no commit for the model")
            return
        selection = select_offline_files(model.files, self._max_bytes, with_weights)
        root = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="sandbox-model-"))
        try:
            hub = root / "hub"
            snapshot = hub / _cache_name(model.repo_id) / "snapshots" / model.commit
            problems = await self._fetch_all(model, selection.paths, snapshot)
            await asyncio.to_thread(_lay_out, hub, model.repo_id, model.commit, aliases)
            incomplete = "; ".join(p for p in (selection.incomplete, *problems) if p) or None
            structlog.get_logger().info(
                "model_copied",
                repo_id=model.repo_id,
                files=len(selection.paths),
                bytes=selection.bytes,
                incomplete=incomplete,
            )
            yield OfflineModel(cache=hub, incomplete=incomplete)
        finally:
            await asyncio.to_thread(shutil.rmtree, root, True)

    async def _fetch_all(self, model: HubModel, paths: Sequence[str], snapshot: Path) -> list[str]:
        """Fetch every path into ``snapshot``; what could not be copied as published, counted by cause."""
        sizes = dict(model.files)
        parallel = asyncio.Semaphore(_PARALLEL)

        async def one(path: str) -> str | None:
            published, size = model.hashes.get(path), sizes.get(path)
            if published is None or size is None:
                return "without a published digest"
            async with parallel:
                try:
                    await self._client.retried(
                        lambda: self._fetch(model, path, snapshot / path, published, size), f"Hugging Face {path}"
                    )
                except FileRejected as rejected:
                    return str(rejected)
                except (UpstreamDown, BadUpstreamUrl):
                    return "not downloadable"
            return None

        causes = Counter(cause for cause in await asyncio.gather(*(one(path) for path in paths)) if cause)
        # Counts and our own wording only: file names come from the repository and reach users in reports.
        return [f"{count} {'file' if count == 1 else 'files'} {cause}" for cause, count in sorted(causes.items())]

    async def _fetch(self, model: HubModel, path: str, target: Path, published: PublishedHash, size: int) -> None:
        """Download one file to ``target`` and check it against its published size and digest."""
        stream = self._client.hub_stream(model.repo_id, path, revision=model.commit)  # a bad path: refused here
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = _digest(published, size)
        received = 0
        try:
            async with stream as chunks:
                with target.open("wb") as sink:
                    async for chunk in chunks:
                        received += len(chunk)
                        if received > size:
                            raise FileRejected("larger than published")
                        digest.update(chunk)
                        sink.write(chunk)
        except UpstreamError as error:  # a definite answer that is not the file (transient ones are retried)
            raise FileRejected("not served by the Hub") from error
        except FileRejected:
            _discard(target)
            raise
        if received != size or digest.hexdigest() != published.hexdigest:
            _discard(target)
            raise FileRejected(f"not matching the published {published.algorithm}")


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)


def _digest(published: PublishedHash, size: int) -> Any:
    """A running hash of the file's bytes as the Hub computes its published digest."""
    if published.algorithm == "sha256":
        return hashlib.sha256()
    git = hashlib.sha1(usedforsecurity=False)
    git.update(b"blob %d\0" % size)
    return git


def _cache_name(repo_id: str) -> str:
    return "models--" + repo_id.replace("/", "--")


def _lay_out(hub: Path, repo_id: str, commit: str, aliases: Sequence[str]) -> None:
    """Write ``refs/main``, link the aliases, and make everything readable by the sandbox's user."""
    name = _cache_name(repo_id)
    refs = hub / name / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text(commit, encoding="ascii")
    (hub / name / "snapshots" / commit).mkdir(parents=True, exist_ok=True)
    for alias in aliases:
        link = hub / _cache_name(alias)
        if alias != repo_id and _REPO_ID.fullmatch(alias) and ".." not in alias and not link.exists():
            link.symlink_to(name)
    for directory, _, files in os.walk(hub.parent):
        os.chmod(directory, 0o755)  # noqa: S103 - read by the sandbox's user, not this service's
        for file in files:
            os.chmod(os.path.join(directory, file), 0o644)
