"""PUT /authenticate, tokens in X-Authorization, and the 401/403 paths."""

import pytest

from tests.api import ADMIN, ADMIN_PASSWORD, Api
from tests.e2e.refusals import assert_refused


async def test_default_admin_gets_a_bearer_token_as_a_json_string(api: Api) -> None:
    reply = await api.login()
    assert reply.status == 200
    assert isinstance(reply.body, str)
    assert reply.body.startswith("bearer ")
    assert len(reply.body) > len("bearer ") + 20


async def test_password_with_quotes_and_sql_is_verbatim_and_harmless(api: Api) -> None:
    wrong = await api.login(password=ADMIN_PASSWORD.replace(";DROP TABLE artifacts;", ""))
    assert_refused(wrong, 401, "The user or password is invalid.")
    listing = await api.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert listing.status == 200
    assert listing.body == []


@pytest.mark.parametrize(
    ("user", "password"),
    [(ADMIN, "wrong-password"), ("nobody", ADMIN_PASSWORD), (ADMIN, ""), (ADMIN.upper(), ADMIN_PASSWORD)],
)
async def test_wrong_credentials_are_401(api: Api, user: str, password: str) -> None:
    reply = await api.login(user=user, password=password)
    assert_refused(reply, 401, "The user or password is invalid.")


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("bearer not-a-real-token", "the token is invalid or expired"),
        ("garbage", "the token is invalid or expired"),
        ("bearer ", "the token is invalid or expired"),
        ("   ", "the X-Authorization header is missing"),  # a blank header value is no header
    ],
)
async def test_invalid_token_is_403(api: Api, token: str, problem: str) -> None:
    reply = await api.call("POST", "/artifacts", json_body=[{"name": "*"}], token=token)
    assert_refused(reply, 403, f"Authentication failed: {problem}.")


async def test_token_works_with_or_without_the_bearer_prefix(api: Api) -> None:
    token = await api.admin_token()
    bare = token.removeprefix("bearer ")
    assert (await api.call("POST", "/artifacts", json_body=[{"name": "*"}], token=bare)).status == 200


async def test_token_stops_working_after_1000_calls(api: Api) -> None:
    token = await api.admin_token()
    for _ in range(1000):
        reply = await api.call("POST", "/artifacts", json_body=[{"name": "*"}], token=token)
        assert reply.status == 200
    exhausted = await api.call("POST", "/artifacts", json_body=[{"name": "*"}], token=token)
    assert_refused(exhausted, 403, "Authentication failed: the token is invalid or expired.")
    fresh = await api.admin_token()
    assert (await api.call("POST", "/artifacts", json_body=[{"name": "*"}], token=fresh)).status == 200
