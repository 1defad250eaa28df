"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, never a downloaded browser) against the
real stack, the upstream mirror and the web UI; axe-core checks every page; screenshots land in test-artifacts/."""

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

from tests.api import ADMIN, ADMIN_PASSWORD
from tests.harness import REPO, RegistryStack, running_registry

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts" / "browser"


@pytest.fixture(scope="package")
def ui_stack(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite, gate off like the shared stacks) with the web UI in front of it."""
    with running_registry(workdir / "browser", mirror_url) as stack:
        stack.start_ui()
        yield stack


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A fresh browser context and page; a full-page screenshot of where the test ended is kept."""
    context = await browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    opened = await context.new_page()
    yield opened
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    await opened.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    await context.close()


async def assert_accessible(page: Page, shot: str | None = None) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA rules) finds nothing on the page; optionally keep a screenshot."""
    if shot is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    result = await Axe().run(page, options=options)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
    ]
    assert not violations, f"{page.url}:\n" + "\n".join(violations)


async def sign_in(page: Page, base_url: str, user: str = ADMIN, password: str = ADMIN_PASSWORD) -> None:
    """Sign in through the form."""
    await page.goto(f"{base_url}/sign-in")
    await page.get_by_label(re.compile("user", re.I)).fill(user)
    await page.get_by_label(re.compile("password", re.I)).fill(password)
    await page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    await page.wait_for_load_state()
