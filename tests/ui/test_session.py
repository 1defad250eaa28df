"""Signing in and out, the session cookie, CSRF, error pages, health and metrics."""

from yarl import URL

from tests.api import ADMIN, ADMIN_PASSWORD
from tests.harness import RegistryStack
from tests.ui.browser import Browser


async def test_pages_need_a_session_and_return_after_signing_in(anonymous: Browser) -> None:
    redirected = await anonymous.get("/artifacts?type=model", follow=False)
    assert redirected.status == 303
    assert redirected.headers["Location"] == "/sign-in?next=%2Fartifacts%3Ftype%3Dmodel"
    page = await anonymous.sign_in(next_path="/dashboard")
    assert page.status == 200 and page.path == "/dashboard" and "Signed in as ece30861defaultadminuser" in page.text


async def test_the_session_cookie_is_the_token_httponly_and_samesite_strict(anonymous: Browser) -> None:
    form = await anonymous.get("/sign-in")
    anonymous.csrf = form.csrf()
    reply = await anonymous.post("/sign-in", {"name": ADMIN, "password": ADMIN_PASSWORD, "next": "/"}, follow=False)
    assert reply.status == 303
    cookie = next(c for c in reply.headers.getall("Set-Cookie") if c.startswith("registry_token="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie


async def test_a_wrong_password_is_an_error_tied_to_the_field(anonymous: Browser) -> None:
    form = await anonymous.get("/sign-in")
    anonymous.csrf = form.csrf()
    page = await anonymous.post("/sign-in", {"name": ADMIN, "password": "nope"})
    assert page.status == 401 and "The user name or password is not right." in page.text
    assert 'aria-describedby="password-error" aria-invalid="true"' in page.text


async def test_a_post_without_the_sessions_csrf_token_is_refused(admin: Browser) -> None:
    assert (await admin.post("/register", {"type": "model", "url": "x"}, csrf=False)).status == 403
    forged = await admin.post("/register", {"csrf": "0" * 64, "type": "model", "url": "x"})
    assert forged.status == 403 and "This form has expired" in forged.text


async def test_signing_out_forgets_the_token(admin: Browser) -> None:
    page = await admin.post("/sign-out", {})
    assert page.path == "/sign-in" and "You have signed out." in page.text
    assert (await admin.get("/artifacts", follow=False)).status == 303


async def test_an_expired_token_sends_the_browser_back_to_sign_in(admin: Browser, stack: RegistryStack) -> None:
    admin.session.cookie_jar.update_cookies({"registry_token": "no-such-token"}, response_url=URL(stack.ui_url))
    page = await admin.get("/artifacts")
    assert page.path == "/sign-in?next=/artifacts&expired=1"
    assert "Your session has expired" in page.text


async def test_unknown_pages_and_artifacts_are_error_pages_of_the_layout(admin: Browser) -> None:
    missing = await admin.get("/no/such/page")
    assert missing.status == 404 and '<main id="main"' in missing.text and "<h1>Not found</h1>" in missing.text
    artifact = await admin.get("/artifacts/model/12345")
    assert artifact.status == 404 and "answered by the registry" in artifact.text


async def test_health_and_metrics_are_public(anonymous: Browser) -> None:
    assert (await anonymous.get("/healthz")).text == '{"status": "ok"}'
    await anonymous.get("/sign-in")
    metrics = (await anonymous.get("/metrics")).text
    assert 'registry_ui_requests_total{route="sign_in_form",status="200"}' in metrics
    assert "registry_ui_request_seconds_bucket" in metrics
