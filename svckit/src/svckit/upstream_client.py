"""One client for Hugging Face and GitHub, used by every service that reads them.

It owns what each service used to write for itself: the HTTP session (``open_upstream``), requests built only from
well-formed, percent-encoded segments (``svckit.upstream_paths``: a bad one is refused before anything is sent), the
one retry policy (``svckit.upstream.retrying``) and the one status mapping (``svckit.upstream.status_failure``). A 5xx,
a 429 or a rate-limited 403 is retried and then ``UpstreamDown``, never read as content; 404 is ``UpstreamMissing``,
401/403 ``UpstreamDenied``, any other status ``UpstreamRejected``. Services translate these to their ports' errors,
once, in their adapters.

The Hub's metadata and listings come through huggingface_hub (synchronous: run in a worker thread; imported at the
first call, see ``svckit.upstream``), files and GitHub's REST API through aiohttp.
"""

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import aiohttp
import structlog
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

from svckit.http import read_capped
from svckit.upstream import (
    HUB_UNREACHABLE,
    TRANSIENT,
    Upstream,
    UpstreamDenied,
    UpstreamDown,
    UpstreamMissing,
    UpstreamRejected,
    UpstreamTransient,
    check_status,
    hub_status,
    retrying,
    status_failure,
)
from svckit.upstream_paths import BadUpstreamUrl, api_path, file_path, hub_repo

if TYPE_CHECKING:
    from huggingface_hub import DatasetInfo, HfApi, ModelInfo
    from huggingface_hub.hf_api import RepoFile

T = TypeVar("T")
HubKind = Literal["model", "dataset"]
MAX_TEXT = 1 << 20
MAX_JSON = 32 << 20
CHUNK = 1 << 20
ATTEMPTS = 3

log = structlog.get_logger()


@asynccontextmanager
async def open_upstream(upstream: Upstream) -> AsyncIterator["UpstreamClient"]:
    """A client with an HTTP session of its own, closed when the context ends."""
    async with aiohttp.ClientSession() as session:
        yield UpstreamClient(session, upstream)


class UpstreamClient:
    """Hub model and dataset info, file listings and files; GitHub's REST API and archives."""

    def __init__(
        self, session: aiohttp.ClientSession, upstream: Upstream, *, attempts: int = ATTEMPTS, wait: float = 0.2
    ) -> None:
        self._session = session
        self.upstream = upstream
        self._attempts = attempts
        self._wait = wait
        self._timeout = aiohttp.ClientTimeout(total=upstream.timeout)
        # A stream has no total deadline (large files), only one per connection and per read.
        self._stream_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=upstream.timeout, sock_read=upstream.timeout * 4
        )

    @property
    def session(self) -> aiohttp.ClientSession:
        """The HTTP session, for adapters that make requests of a kind this client does not (byte ranges)."""
        return self._session

    @cached_property
    def _hf(self) -> "HfApi":
        """The Hub client, created at the first Hub look-up."""
        return self.upstream.hf_api()

    async def retried(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        """``call()`` under the one retry policy; ``UpstreamDown`` once every attempt failed transiently."""
        try:
            return await retrying(call, what, attempts=self._attempts, wait=self._wait)
        except TRANSIENT as error:
            raise UpstreamDown(f"{error} ({self._attempts} attempts)") from error

    async def model_info(self, repo_id: str, revision: str | None = None, *, details: bool = False) -> "ModelInfo":
        """A Hub model's info; with ``details`` every file's size and digest and the Hub's own security scan."""
        repo = hub_repo(repo_id)
        fetch = functools.partial(
            self._hf.model_info,
            repo,
            revision=revision,
            timeout=self.upstream.timeout,
            files_metadata=details,
            securityStatus=details,
        )
        return await self._hub(fetch, f"Hugging Face model {repo}")

    async def dataset_info(self, repo_id: str, revision: str | None = None) -> "DatasetInfo":
        """A Hub dataset's info."""
        repo = hub_repo(repo_id)
        fetch = functools.partial(self._hf.dataset_info, repo, revision=revision, timeout=self.upstream.timeout)
        return await self._hub(fetch, f"Hugging Face dataset {repo}")

    async def hub_info(self, kind: HubKind, repo_id: str, revision: str | None = None) -> "ModelInfo | DatasetInfo":
        """``model_info`` or ``dataset_info`` by ``kind``."""
        if kind == "dataset":
            return await self.dataset_info(repo_id, revision)
        return await self.model_info(repo_id, revision)

    async def hub_files(self, kind: HubKind, repo_id: str, revision: str) -> list["RepoFile"]:
        """Every file of a Hub repository at ``revision``; a path that is not plain relative segments (it would
        become a file or tar member name) is left out and logged."""
        repo = hub_repo(repo_id)

        def listing() -> list["RepoFile"]:
            from huggingface_hub.hf_api import RepoFile

            entries = self._hf.list_repo_tree(repo, repo_type=kind, revision=revision, recursive=True)
            return [entry for entry in entries if isinstance(entry, RepoFile) and _plain(entry.path)]

        return await self._hub(listing, f"Hugging Face {kind} {repo} files")

    async def hub_text(
        self, repo_id: str, path: str, *, kind: HubKind = "model", revision: str | None = None, limit: int = MAX_TEXT
    ) -> str | None:
        """A Hub file's text (its first ``limit`` bytes); None when there is no such file or it is not served to
        this deployment (404, 401, 403)."""
        url = self._hub_url(repo_id, path, kind, revision)
        return await self._text(url, self.upstream.hf_headers(), f"{path} of {repo_id}", limit)

    def hub_stream(
        self, repo_id: str, path: str, *, kind: HubKind = "model", revision: str | None = None
    ) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """A Hub file's bytes to read in chunks (``stream``)."""
        url = self._hub_url(repo_id, path, kind, revision)
        return self.stream(url, self.upstream.hf_headers(), f"{path} of {repo_id}")

    async def github_json(self, *segments: str, params: Mapping[str, str] | None = None) -> Any:
        """``GET {GITHUB_API_URL}/<segments>`` as JSON; None for a 204 (an empty repository's contributors)."""
        path = api_path(*segments)
        what = f"GitHub {path}"

        async def attempt() -> Any:
            headers = self.upstream.github_headers()
            async with self._get(self.upstream.github + path, headers, what, params=params, ok=(200, 204)) as answer:
                if answer.status == 204:
                    return None
                body = await read_capped(answer, MAX_JSON)
            try:  # decoded outside the request: a page that is not JSON is the upstream's answer, not a lost one
                return json.loads(body)
            except ValueError as error:
                raise UpstreamRejected(f"{what} answered 200 with a body that is not JSON", 200) from error

        return await self.retried(attempt, what)

    async def github_text(self, *segments: str, limit: int = MAX_TEXT) -> str | None:
        """A GitHub file's raw text (a README, say); None when there is none or it is not served (404, 401, 403)."""
        path = api_path(*segments)
        headers = self.upstream.github_headers(accept="application/vnd.github.raw")
        return await self._text(self.upstream.github + path, headers, f"GitHub {path}", limit)

    def github_stream(self, *segments: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """A GitHub answer's bytes (a repository archive) to read in chunks (``stream``)."""
        path = api_path(*segments)
        return self.stream(self.upstream.github + path, self.upstream.github_headers(), f"GitHub {path}")

    @asynccontextmanager
    async def stream(
        self, url: str, headers: Mapping[str, str], what: str, chunk: int = CHUNK
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """The body of a successful answer in chunks of at most ``chunk`` bytes. Not retried (wrap the whole read
        in ``retried``): a 5xx, a lost connection or a timeout, before or while reading, is ``UpstreamTransient``;
        what the caller raises while it reads passes unchanged."""
        try:
            answer = await self._session.get(url, headers=headers, timeout=self._stream_timeout)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamTransient(f"{what}: {type(error).__name__}: {error}") from error
        try:
            check_status(answer.status, what, answer.headers)
            yield _chunks(answer, what, chunk)
        finally:
            answer.release()

    async def _hub(self, call: Callable[[], T], what: str) -> T:
        """A huggingface_hub call in a worker thread, its failures mapped like any status, retried."""

        async def attempt() -> T:
            try:
                return await asyncio.to_thread(call)
            except HfHubHTTPError as error:  # before OSError: huggingface_hub's errors are OSErrors
                raise _hub_failure(error, what) from error
            except HUB_UNREACHABLE as error:
                raise UpstreamTransient(f"{what}: Hugging Face is unreachable: {error}") from error

        return await self.retried(attempt, what)

    def _hub_url(self, repo_id: str, path: str, kind: HubKind, revision: str | None) -> str:
        if revision is not None:
            file_path(revision, "revision")
        return self.upstream.hf_file_url(hub_repo(repo_id), file_path(path), repo_type=kind, revision=revision)

    async def _text(self, url: str, headers: Mapping[str, str], what: str, limit: int) -> str | None:
        async def attempt() -> str | None:
            try:
                async with self._get(url, headers, what) as answer:
                    body = await read_capped(answer, limit)
            except (UpstreamMissing, UpstreamDenied):
                return None
            return body.decode("utf-8", "replace")

        return await self.retried(attempt, what)

    @asynccontextmanager
    async def _get(
        self,
        url: str,
        headers: Mapping[str, str],
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """One GET whose status passed ``check_status``; a lost connection or a timeout is ``UpstreamTransient``."""
        try:
            async with self._session.get(url, headers=headers, params=params, timeout=self._timeout) as answer:
                check_status(answer.status, what, answer.headers, ok)
                yield answer
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamTransient(f"{what}: {type(error).__name__}: {error}") from error


def _hub_failure(error: HfHubHTTPError, what: str) -> Exception:
    """huggingface_hub's error as the status mapping's (no answer at all is transient)."""
    status = hub_status(error)
    if isinstance(error, GatedRepoError):
        return UpstreamDenied(f"{what} is gated upstream", status, gated=True)
    if isinstance(error, RepositoryNotFoundError):
        return UpstreamMissing(f"{what} does not exist upstream", status)
    if status == 0:
        return UpstreamTransient(f"{what}: no answer from Hugging Face: {error}")
    return status_failure(status, what, error.response.headers if error.response is not None else None)


async def _chunks(answer: aiohttp.ClientResponse, what: str, size: int) -> AsyncIterator[bytes]:
    try:
        async for chunk in answer.content.iter_chunked(size):
            yield chunk
    except (aiohttp.ClientError, TimeoutError) as error:
        raise UpstreamTransient(f"{what}: {type(error).__name__}: {error}") from error


def _plain(path: str) -> bool:
    try:
        file_path(path)
    except BadUpstreamUrl:
        log.warning("upstream_path_refused", path=path)
        return False
    return True
