"""How services reach Hugging Face and GitHub: base URLs, optional tokens, timeout, request headers, and the one
retry policy and status mapping every service uses (``retrying``, ``check_status``); ``svckit.upstream_client`` makes
the calls with them.

huggingface_hub's client and url helper are imported at their first use, not at start: with the HTTP stack they
bring they are some 8 MB of modules per service, which a replica that never reads the Hub does not hold.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import aiohttp
import httpx2
import stamina
import structlog
from huggingface_hub.errors import HfHubHTTPError
from pydantic import Field, SecretStr

from svckit.settings import RuntimeSettings

if TYPE_CHECKING:
    from huggingface_hub import HfApi

GITHUB_API_VERSION = "2022-11-28"
# What huggingface_hub raises when the Hub cannot be reached (its HTTP client's transport errors).
HUB_UNREACHABLE: tuple[type[Exception], ...] = (OSError, httpx2.TransportError)


def hub_status(error: HfHubHTTPError) -> int:
    """The HTTP status the Hub answered with (0 when no response arrived)."""
    return error.response.status_code if error.response is not None else 0


def is_transient(status: int) -> bool:
    """Whether an upstream status is worth retrying: a server error or rate limiting."""
    return status >= 500 or status == 429


@dataclass(frozen=True)
class Upstream:
    """Where the upstream APIs are and the credentials to use there."""

    hf_endpoint: str
    github_api_url: str
    hf_token: str | None = field(default=None, repr=False)
    github_token: str | None = field(default=None, repr=False)
    timeout: float = 15.0

    @property
    def hf(self) -> str:
        """``HF_ENDPOINT`` without a trailing slash."""
        return self.hf_endpoint.rstrip("/")

    @property
    def github(self) -> str:
        """``GITHUB_API_URL`` without a trailing slash."""
        return self.github_api_url.rstrip("/")

    def hf_api(self) -> "HfApi":
        """A huggingface_hub client on ``HF_ENDPOINT`` (never a token saved on this machine)."""
        from huggingface_hub import HfApi

        return HfApi(endpoint=self.hf, token=self.hf_token or False)

    def hf_file_url(
        self, repo_id: str, filename: str, *, repo_type: str | None = None, revision: str | None = None
    ) -> str:
        """The download (``/resolve/``) url of one file of a Hub repository on ``HF_ENDPOINT``."""
        from huggingface_hub import hf_hub_url

        return hf_hub_url(repo_id, filename, repo_type=repo_type, revision=revision, endpoint=self.hf)

    def hf_headers(self) -> dict[str, str]:
        """Headers for direct Hub downloads."""
        return {"Authorization": f"Bearer {self.hf_token}"} if self.hf_token else {}

    def github_headers(self, accept: str = "application/vnd.github+json") -> dict[str, str]:
        """Headers GitHub's REST API expects, with the token when configured."""
        headers = {"Accept": accept, "X-GitHub-Api-Version": GITHUB_API_VERSION}
        if self.github_token:
            headers["Authorization"] = f"Bearer {self.github_token}"
        return headers


class UpstreamSettings(RuntimeSettings):
    """Settings of services that read Hugging Face and GitHub."""

    hf_endpoint: str = "https://huggingface.co"
    github_api_url: str = "https://api.github.com"
    hf_token: SecretStr | None = None
    github_token: SecretStr | None = None
    upstream_timeout: float = Field(default=15.0, gt=0)

    def upstream(self) -> Upstream:
        """The upstream access these settings describe."""
        return Upstream(
            hf_endpoint=self.hf_endpoint,
            github_api_url=self.github_api_url,
            hf_token=self.hf_token.get_secret_value() if self.hf_token else None,
            github_token=self.github_token.get_secret_value() if self.github_token else None,
            timeout=self.upstream_timeout,
        )


class UpstreamTransient(Exception):
    """An upstream answer worth retrying (5xx, 429): never to be read as content."""


class UpstreamError(Exception):
    """A definite upstream answer that is not the content asked for; ``status`` is the HTTP status (0: none)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class UpstreamMissing(UpstreamError):
    """The repository, revision or file does not exist (404, or the Hub's ``RepoNotFound``-like error codes)."""


class UpstreamDenied(UpstreamError):
    """The upstream wants credentials this deployment lacks (401/403); ``gated``: a Hub repository behind a form."""

    def __init__(self, message: str, status: int = 0, *, gated: bool = False) -> None:
        super().__init__(message, status)
        self.gated = gated


class UpstreamRejected(UpstreamError):
    """Any other status that is not a success (400, 410, 422, an unfollowed redirect, ...)."""


class UpstreamDown(UpstreamError):
    """No answer after the whole retry policy: 5xx, 429, rate limiting or no connection every time."""


# The Hub's X-Error-Code values that mean "no such thing" whatever the status (it answers 401 to anonymous callers).
MISSING_CODES = frozenset({"RepoNotFound", "RevisionNotFound", "EntryNotFound"})


def status_failure(status: int, what: str, headers: Mapping[str, str] | None = None) -> Exception:
    """The one mapping of an upstream status that is not the success asked for: ``UpstreamTransient`` for 5xx, 429
    and GitHub's rate-limited 403 (retried, never read as content); else ``UpstreamDenied`` (gated, 401, 403),
    ``UpstreamMissing`` (404 or a Hub "not found" code) or ``UpstreamRejected``."""
    headers = headers or {}
    code = headers.get("X-Error-Code", "")
    if is_transient(status) or (status == 403 and headers.get("X-RateLimit-Remaining") == "0"):
        return UpstreamTransient(f"{what} answered {status}")
    if code == "GatedRepo":
        return UpstreamDenied(f"{what} is gated upstream", status, gated=True)
    if status == 404 or code in MISSING_CODES:
        return UpstreamMissing(f"{what} does not exist upstream", status)
    if status in (401, 403):
        return UpstreamDenied(f"{what} answered {status}: credentials needed", status)
    return UpstreamRejected(f"{what} answered {status}", status)


def check_status(
    status: int, what: str, headers: Mapping[str, str] | None = None, ok: tuple[int, ...] = (200,)
) -> None:
    """Return when ``status`` is one of ``ok``; raise its ``status_failure`` otherwise."""
    if status not in ok:
        raise status_failure(status, what, headers)


# Everything one retry policy retries: transient answers, connection errors, timeouts, an unreachable Hub.
TRANSIENT: tuple[type[Exception], ...] = (UpstreamTransient, aiohttp.ClientError, TimeoutError, *HUB_UNREACHABLE)
T = TypeVar("T")


async def retrying(call: Callable[[], Awaitable[T]], what: str, *, attempts: int = 3, wait: float = 0.2) -> T:
    """``call()`` under the one upstream retry policy (stamina: ``attempts`` tries, exponential backoff from ``wait``
    seconds with jitter, at most 2 s apart) on ``TRANSIENT`` failures; the last failure propagates."""
    async for attempt in stamina.retry_context(
        on=TRANSIENT, attempts=attempts, wait_initial=wait, wait_max=2.0, wait_jitter=wait / 2, timeout=None
    ):
        with attempt:
            if attempt.num > 1:
                structlog.get_logger().warning("upstream_retry", what=what, attempt=attempt.num)
            return await call()
    raise AssertionError("unreachable")
