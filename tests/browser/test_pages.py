"""axe-core on every page of the UI, in the states people meet them (empty, filled, with errors, confirmations),
at desktop and phone widths; a screenshot of each is kept under test-artifacts/browser/."""

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from playwright.async_api import Page

from tests.api import Api
from tests.browser.conftest import assert_accessible, sign_in
from tests.harness import RegistryStack

HF = "https://huggingface.co"


@pytest.fixture(scope="package")
async def catalogue(ui_stack: RegistryStack) -> AsyncIterator[dict[str, str]]:
    """A model with a parent (lineage), a dataset and a code repository, registered through the API."""
    async with aiohttp.ClientSession() as session:
        api = Api(session, ui_stack.base_url)
        await api.admin_token()
        ids = {}
        for kind, url in [
            ("model", f"{HF}/microsoft/resnet-50"),
            ("model", f"{HF}/crangana/trained-gender"),
            ("dataset", f"{HF}/datasets/rajpurkar/squad"),
            ("code", "https://github.com/openai/whisper"),
        ]:
            reply = await api.register(kind, url)
            assert reply.status == 201, reply.body
            ids[url.rsplit("/", 1)[1]] = reply.body["metadata"]["id"]
        user = await api.call(
            "POST", "/users", json_body={"name": "reader", "password": "reader-pass-123", "permissions": ["search"]}
        )
        assert user.status in (201, 409), user.body
        yield ids


@pytest.mark.parametrize("width", [1280, 320])
async def test_every_page_has_no_axe_violations(
    page: Page, ui_stack: RegistryStack, catalogue: dict[str, str], width: int
) -> None:
    await page.set_viewport_size({"width": width, "height": 900})
    base = ui_stack.ui_url
    await page.goto(f"{base}/sign-in")
    await page.get_by_label("User name").fill("nobody")
    await page.get_by_label("Password").fill("wrong-password")
    await page.get_by_role("button", name="Sign in").click()
    await assert_accessible(page, f"sign-in-error-{width}")
    await sign_in(page, base)
    model, child = catalogue["resnet-50"], catalogue["trained-gender"]
    pages = [
        ("artifacts", "/artifacts"),
        ("artifacts-models", "/artifacts?type=model"),
        ("artifacts-no-match", "/artifacts?regex=zzz-no-such-thing"),
        ("model", f"/artifacts/model/{child}"),
        ("dataset", f"/artifacts/dataset/{catalogue['squad']}"),
        ("code", f"/artifacts/code/{catalogue['whisper']}"),
        ("edit", f"/artifacts/model/{model}/edit"),
        ("delete-confirm", f"/artifacts/model/{model}/delete"),
        ("register", "/register"),
        ("upload", "/upload"),
        ("users", "/admin/users"),
        ("user-delete-confirm", "/admin/users/reader/delete"),
        ("reset-confirm", "/admin/reset"),
        ("dashboard", "/dashboard?window=60"),
        ("dashboard-day", "/dashboard?window=1440"),
        ("not-found", "/artifacts/model/123456789"),
    ]
    for name, path in pages:
        await page.goto(base + path)
        await assert_accessible(page, f"{name}-{width}")
    await page.goto(f"{base}/webhooks")
    await assert_accessible(page, f"webhooks-{width}")
    await page.get_by_label("URL", exact=True).fill("http://10.0.0.1/hook")
    await page.get_by_role("button", name="Add the webhook").click()
    await assert_accessible(page, f"webhooks-error-{width}")
    await page.get_by_label("URL", exact=True).fill("http://127.0.0.1:9/hook")
    await page.get_by_role("button", name="Add the webhook").click()
    await assert_accessible(page, f"webhooks-added-{width}")
    await page.get_by_role("link", name=re.compile("^Deliveries of")).first.click()
    await assert_accessible(page, f"webhook-deliveries-{width}")
    await page.goto(f"{base}/register")
    await page.get_by_label("Model").check()
    await page.get_by_label("Source URL").fill("https://example.com/not-a-hub")
    await page.get_by_role("button", name="Register").click()
    await assert_accessible(page, f"register-error-{width}")
    await page.goto(f"{base}/artifacts/model/{child}")
    await page.get_by_label("GitHub repository URL").fill("https://github.com/openai/whisper")
    await page.get_by_role("button", name=re.compile("check", re.I)).click()
    await assert_accessible(page, f"license-check-{width}")
