"""The main flow in a real browser, with the mouse and with the keyboard alone: sign in, register a model by URL,
find it by regex, open it, read its rating and lineage, download it and check the sha256, see the dashboard
count the requests. axe runs on every page the flow passes; screenshots go to test-artifacts/browser/."""

import asyncio
import hashlib
import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.api import ADMIN, ADMIN_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.harness import RegistryStack

BERT = "https://huggingface.co/google-bert/bert-base-uncased"
# Made-up: every file verifies, so the whole package downloads with its sha256 (the recorded tiny-gpt2 has filler).
MINI = "https://huggingface.co/orchard-compute/orchard-mini"


async def _register(page: Page, base: str, url: str) -> str:
    await page.goto(f"{base}/register")
    await assert_accessible(page, "register")
    await page.get_by_label("Model").check()
    await page.get_by_label("Source URL").fill(url)
    await page.get_by_role("button", name="Register").click()
    await page.wait_for_url(re.compile(r"/artifacts/model/[A-Za-z0-9-]+$"))
    return page.url.rsplit("/", 1)[1]


async def _wait_for_copy(page: Page, timeout: float = 60.0) -> None:
    """Reload until the package section shows a finished copy with download links."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await page.get_by_role("link", name=re.compile("Download whole package", re.I)).count():
        assert asyncio.get_running_loop().time() < deadline, "the copy did not finish"
        await asyncio.sleep(0.5)
        await page.reload()


async def test_the_main_flow_with_the_mouse(page: Page, ui_stack: RegistryStack, tmp_path: Path) -> None:
    base = ui_stack.ui_url
    await page.goto(f"{base}/sign-in")
    await assert_accessible(page, "sign-in")
    await sign_in(page, base)
    await expect(page.get_by_role("heading", level=1, name="Artifacts")).to_be_visible()

    model = await _register(page, base, MINI)
    await _wait_for_copy(page)
    await assert_accessible(page, "artifact-model")

    await page.goto(f"{base}/artifacts")
    await page.get_by_label("Regular expression").fill("orchard-mi")
    await page.get_by_role("button", name="Search").click()
    await assert_accessible(page, "artifacts-regex")
    await page.get_by_role("link", name="orchard-mini", exact=True).click()
    await page.wait_for_url(f"{base}/artifacts/model/{model}")

    await expect(page.get_by_role("heading", name="Rating")).to_be_visible()
    await expect(page.locator("#rating svg[role=img]").first).to_be_visible()
    await expect(page.get_by_role("heading", name="Lineage")).to_be_visible()

    expected = (await page.locator('code[data-sha256="all"]').inner_text()).strip()
    async with page.expect_download() as started:
        await page.get_by_role("link", name=re.compile("Download whole package", re.I)).click()
    download = await started.value
    saved = tmp_path / "package.tar"
    await download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == expected

    await page.goto(f"{base}/dashboard?window=15")
    await assert_accessible(page, "dashboard")
    created = page.locator("#routes-table tr", has=page.get_by_role("rowheader", name="ArtifactCreate"))
    assert int((await created.locator("td").first.inner_text()).strip()) >= 1


async def test_the_main_flow_with_the_keyboard_alone(page: Page, ui_stack: RegistryStack) -> None:
    base = ui_stack.ui_url
    await page.goto(f"{base}/sign-in")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to main content"
    await _tab_to(page, "name")
    await page.keyboard.type(ADMIN)
    await _tab_to(page, "password")
    await page.keyboard.type(ADMIN_PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/artifacts"))

    await page.goto(f"{base}/register")
    await _tab_to(page, "type-model")
    await page.keyboard.press("Space")
    await _tab_to(page, "url")
    await page.keyboard.type(BERT)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/artifacts/model/[A-Za-z0-9-]+$"))
    model = page.url.rsplit("/", 1)[1]

    await page.goto(f"{base}/artifacts")
    await _tab_to(page, "regex")
    await page.keyboard.type("bert-base")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"regex="))
    await _tab_to_link(page, f"/artifacts/model/{model}")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/artifacts/model/{model}")
    await expect(page.get_by_role("heading", name="Rating")).to_be_visible()
    await _tab_to_link(page, "/dashboard")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/dashboard"))
    await assert_accessible(page, "dashboard-keyboard")


async def _tab_to(page: Page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element with ``element_id`` has the focus, which must be visibly drawn."""
    for _ in range(limit):
        if await page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            await _focus_is_visible(page)
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


async def _tab_to_link(page: Page, href: str, limit: int = 120) -> None:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement && document.activeElement.getAttribute('href')") == href:
            await _focus_is_visible(page)
            return
    raise AssertionError(f"no link to {href} is reachable with Tab")


async def _focus_is_visible(page: Page) -> None:
    style = await page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    outline, width, shadow = style
    assert (outline != "none" and width not in ("0px", "")) or shadow != "none", f"no visible focus: {style}"
