"""Fixtures: the mirror served on a real loopback socket (port 0)."""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from aiohttp import web

from tests.mirror.app import build_app

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "upstream"


@dataclass(frozen=True)
class Mirror:
    """Base URLs of a running mirror."""

    origin: str

    @property
    def hf(self) -> str:
        """Value for ``HF_ENDPOINT``."""
        return f"{self.origin}/hf"

    @property
    def gh(self) -> str:
        """Value for ``GITHUB_API_URL``."""
        return f"{self.origin}/gh"


async def start(app: web.Application) -> tuple[web.AppRunner, Mirror]:
    """Serve ``app`` on 127.0.0.1 with an OS-assigned port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, Mirror(origin=f"http://127.0.0.1:{port}")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def mirror() -> AsyncIterator[Mirror]:
    """A mirror over the committed fixtures, with rate limits high enough for the whole suite."""
    runner, served = await start(build_app(FIXTURES, github_anonymous_limit=100_000))
    yield served
    await runner.cleanup()


@pytest.fixture
def hf_cache(tmp_path: pathlib.Path) -> pathlib.Path:
    """Private huggingface_hub cache directory for one test."""
    return tmp_path / "hf-cache"
