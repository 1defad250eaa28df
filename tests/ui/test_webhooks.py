"""The webhooks page: add one (its secret shown once), see its deliveries, remove it; refusals shown on the form."""

import asyncio
import re

from tests.ui.browser import Browser
from tests.webhooks.receiver import Receiver, free_port, listening


async def test_a_user_adds_a_webhook_sees_it_delivered_and_removes_it(admin: Browser) -> None:
    async with listening(Receiver(free_port())) as receiver:
        added = await admin.post(
            "/webhooks", [("url", receiver.url("/ui")), ("event", "artifact.created"), ("event", "copy.finished")]
        )
        assert added.status == 201, added.text
        secret = re.search(r"<code>(whsec_[A-Za-z0-9+/=]+)</code>", added.text)
        assert secret is not None and receiver.url("/ui") in added.text
        receiver.secrets["/ui"] = secret.group(1)
        hook = re.search(r'href="/webhooks/(wh_[0-9a-f]+)"', added.text)
        assert hook is not None
        registered = await admin.post("/register", {"type": "code", "url": "https://github.com/openai/whisper"})
        assert registered.status == 200, registered.text
        for _ in range(100):
            if receiver.received:
                break
            await asyncio.sleep(0.1)
        assert [r.body["type"] for r in receiver.received][:1] == ["artifact.created"] and receiver.rejected == []
        shown = await admin.get(f"/webhooks/{hook.group(1)}")
        assert shown.status == 200 and "<td>artifact.created</td>" in shown.text and "<td>delivered</td>" in shown.text
    listed = await admin.get("/webhooks")
    assert secret.group(1) not in listed.text, "the secret is shown once"
    removed = await admin.post(f"/webhooks/{hook.group(1)}/delete", {})
    assert f"Removed the webhook {hook.group(1)}." in removed.text and receiver.url("/ui") not in removed.text


async def test_a_refused_url_is_an_error_on_its_field(admin: Browser) -> None:
    page = await admin.post("/webhooks", [("url", "http://10.0.0.1/hook"), ("event", "artifact.deleted")])
    assert page.status == 400 and 'id="hook-url-error"' in page.text
    assert "10.0.0.1 is a private address" in page.text
    empty = await admin.post("/webhooks", [("url", "http://example.com/")])
    assert empty.status == 400 and "Choose at least one event." in empty.text
