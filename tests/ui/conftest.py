"""UI fixtures: one whole registry (SQLite) with the UI process in front of it, and signed-in browsers."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.harness import RegistryStack, running_registry
from tests.ui.browser import Browser, browser_session


@pytest.fixture(scope="package")
def stack(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A running registry (pages of two artifacts) with ``python -m ui`` started against its gateway."""
    with running_registry(workdir / "ui", mirror_url, extra_env={"CATALOG_PAGE_SIZE": "2"}) as registry:
        registry.start_ui()
        yield registry


@pytest.fixture
async def anonymous(stack: RegistryStack) -> AsyncIterator[Browser]:
    """A browser that has not signed in."""
    async with browser_session() as session:
        yield Browser(session, stack.ui_url)


@pytest.fixture
async def admin(stack: RegistryStack) -> AsyncIterator[Browser]:
    """A browser signed in as the default administrator."""
    async with browser_session() as session:
        browser = Browser(session, stack.ui_url)
        page = await browser.sign_in()
        assert page.status == 200, page.text
        yield browser
