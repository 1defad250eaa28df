"""The one upstream client against the real mirror: 5xx retried and never read as content, 404 as missing, and a
bad segment refused before anything is sent (the mirror's request log shows what reached it).

A flaky front (``Flaky``) stands between the client and the mirror where a test needs the upstream to fail: it
answers 5xx to the first requests it is told to, and passes the others on to the mirror unchanged.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web

from svckit.upstream import Upstream, UpstreamDown, UpstreamMissing, UpstreamRejected, UpstreamTransient
from svckit.upstream_client import ATTEMPTS, UpstreamClient
from svckit.upstream_paths import BadUpstreamUrl
from tests.mirror.app import build_app
from tests.mirror.conftest import FIXTURES, start

REPO = "openai/whisper"
MODEL = "acme-research/bow-sentiment-tiny"
ERROR_PAGE = "<html><body>502 Bad Gateway: an error page, not content</body></html>"
HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "content-encoding", "connection"}


@dataclass
class Flaky:
    """Answers ``status`` with an error page to the next ``failures`` requests, then passes requests to the mirror."""

    mirror_url: str
    session: aiohttp.ClientSession
    origin: str = ""
    failures: int = 0
    status: int = 503
    seen: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(request.path)
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=self.status, text=ERROR_PAGE, content_type="text/html")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        async with self.session.get(
            self.mirror_url + request.path_qs, headers=headers, allow_redirects=False
        ) as answer:
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
            return web.Response(status=answer.status, body=body, headers=kept)


async def _mirror_log(session: aiohttp.ClientSession, mirror_url: str) -> list[str]:
    async with session.get(f"{mirror_url}/_mirror/requests") as answer:
        seen: list[str] = await answer.json()
    return seen


@pytest.fixture
async def mirror_url() -> AsyncIterator[str]:
    """A mirror of this test's own: the suite's shared one keeps only its last 10,000 requests, and other tests'
    stacks may be fetching from it meanwhile, so its log could not say what this test's client sent."""
    runner, served = await start(build_app(FIXTURES, github_anonymous_limit=100_000))
    yield served.origin
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


@pytest.fixture
async def flaky(mirror_url: str, session: aiohttp.ClientSession) -> AsyncIterator[Flaky]:
    front = Flaky(mirror_url, session)
    app = web.Application()
    app.router.add_get("/{tail:.*}", front.handle)
    runner, served = await start(app)
    front.origin = served.origin
    yield front
    await runner.cleanup()


def _client(session: aiohttp.ClientSession, origin: str) -> UpstreamClient:
    return UpstreamClient(session, Upstream(f"{origin}/hf", f"{origin}/gh", timeout=10), wait=0.01)


async def test_a_5xx_is_retried_and_then_the_content_is_read(
    flaky: Flaky, session: aiohttp.ClientSession, mirror_url: str
) -> None:
    client = _client(session, flaky.origin)
    before = len(await _mirror_log(session, mirror_url))
    flaky.failures = ATTEMPTS - 1
    repo = await client.github_json("repos", REPO)
    assert repo["full_name"] == REPO
    assert flaky.seen == [f"/gh/repos/{REPO}"] * ATTEMPTS
    assert (await _mirror_log(session, mirror_url))[before:] == [f"GET /gh/repos/{REPO}"]

    flaky.failures, flaky.status = 1, 429
    card = await client.hub_text(MODEL, "README.md")
    assert card is not None and ERROR_PAGE not in card and card.strip()


async def test_a_persistent_5xx_is_down_and_never_read_as_content(flaky: Flaky, session: aiohttp.ClientSession) -> None:
    client = _client(session, flaky.origin)
    flaky.failures, flaky.status = 1000, 502
    with pytest.raises(UpstreamDown, match="answered 502"):
        await client.github_text("repos", REPO, "readme")
    assert len(flaky.seen) == ATTEMPTS
    with pytest.raises(UpstreamDown, match="answered 502"):
        await client.hub_text(MODEL, "README.md")
    with pytest.raises(UpstreamDown):
        await client.model_info(MODEL)
    with pytest.raises(UpstreamTransient, match="answered 502"):  # a stream is retried by whoever reads it
        async with client.github_stream("repos", REPO, "tarball") as chunks:
            pytest.fail(f"an error page was offered as content: {[chunk async for chunk in chunks]}")


async def test_a_404_is_missing_and_not_retried(session: aiohttp.ClientSession, mirror_url: str) -> None:
    client = _client(session, mirror_url)
    before = len(await _mirror_log(session, mirror_url))
    with pytest.raises(UpstreamMissing):
        await client.github_json("repos", "nobody-here/no-such-repo")
    with pytest.raises(UpstreamMissing):
        await client.model_info("nobody-here/no-such-model")
    assert await client.hub_text(MODEL, "no-such-file.txt") is None
    fetched = (await _mirror_log(session, mirror_url))[before:]
    assert fetched[0] == "GET /gh/repos/nobody-here/no-such-repo"
    assert len([line for line in fetched if "no-such" in line]) == 3, fetched  # one request each


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.github_json("repos", REPO, "readme", ".."),
        lambda c: c.github_text("repos", "openai/..", "readme"),
        lambda c: c.github_json("repos", REPO, "contents", "docs%2f..%2f..", "x"),
        lambda c: c.hub_text(MODEL, "../../api/whoami-v2"),
        lambda c: c.hub_text(MODEL, "README.md", revision="main/../.."),
        lambda c: c.model_info("acme-research/bow-sentiment-tiny/../../x"),
        lambda c: c.hub_files("model", "..", "main"),
    ],
)
async def test_a_bad_segment_is_refused_before_any_request(
    session: aiohttp.ClientSession, mirror_url: str, call: Callable[[UpstreamClient], Awaitable[object]]
) -> None:
    client = _client(session, mirror_url)
    before = await _mirror_log(session, mirror_url)
    with pytest.raises(BadUpstreamUrl):
        await call(client)
    assert await _mirror_log(session, mirror_url) == before


async def test_a_page_that_is_not_json_is_refused_at_once_not_retried_as_a_lost_answer(
    flaky: Flaky, session: aiohttp.ClientSession
) -> None:
    flaky.failures, flaky.status = 1, 200  # an error page served with 200, as some proxies do
    with pytest.raises(UpstreamRejected, match="not JSON"):
        await _client(session, flaky.origin).github_json("repos", REPO)
    assert len(flaky.seen) == 1
