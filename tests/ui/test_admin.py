"""Administration through the UI: users and permissions, deletion with confirmation, the reset."""

import re

from tests.ui.browser import Browser, browser_session


async def test_an_admin_creates_grants_and_deletes_a_user(admin: Browser) -> None:
    created = await admin.post(
        "/admin/users", {"name": "ui-alice", "password": "alice-password-1", "permission": "search"}
    )
    assert created.status == 200 and "Created the user ui-alice." in created.text
    assert re.search(r'<th scope="row">ui-alice</th>\s*<td>no</td>', created.text)
    granted = await admin.post(
        "/admin/users/ui-alice/permissions", [("permission", "search"), ("permission", "upload")]
    )
    assert "The permissions of ui-alice are now: search, upload." in granted.text
    confirm = await admin.get("/admin/users/ui-alice/delete")
    assert confirm.status == 200 and "Yes, delete ui-alice" in confirm.text
    deleted = await admin.post("/admin/users/ui-alice/delete", {})
    assert "Deleted the user ui-alice." in deleted.text and '<th scope="row">ui-alice</th>' not in deleted.text


async def test_a_short_password_is_an_error_on_its_field(admin: Browser) -> None:
    page = await admin.post("/admin/users", {"name": "ui-bob", "password": "short"})
    assert page.status == 400 and 'id="new-password-error"' in page.text


async def test_a_user_without_a_permission_sees_the_registrys_refusal(admin: Browser) -> None:
    await admin.post("/admin/users", {"name": "ui-reader", "password": "reader-password", "permission": "search"})
    async with browser_session() as session:
        reader = Browser(session, admin.base_url)
        assert (await reader.sign_in("ui-reader", "reader-password")).status == 200
        refused = await reader.post("/register", {"type": "code", "url": "https://github.com/openai/whisper"})
        assert refused.status == 401 and "You may not register artifacts" in refused.text
        assert (await reader.get("/admin/users")).status == 401
    await admin.post("/admin/users/ui-reader/delete", {})


async def test_the_reset_needs_the_typed_confirmation(admin: Browser) -> None:
    await admin.post("/register", {"type": "code", "url": "https://github.com/google-research/bert"})
    assert "google-research-bert" in (await admin.get("/artifacts")).text
    wrong = await admin.post("/admin/reset", {"confirm": "yes"})
    assert wrong.status == 400 and "Type the word reset to confirm." in wrong.text
    done = await admin.post("/admin/reset", {"confirm": "reset"})
    assert done.path == "/artifacts" and "The registry was reset" in done.text
    assert "No artifacts match." in done.text
