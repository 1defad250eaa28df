"""User administration (our addition) and per-endpoint permissions."""

from tests.api import Api
from tests.e2e.refusals import assert_refused


async def _user_api(api: Api, name: str, permissions: list[str]) -> Api:
    created = await api.call(
        "POST", "/users", json_body={"name": name, "password": "s3cret-pass!", "permissions": permissions}
    )
    assert created.status == 201, created.body
    other = Api(api.session, api.base_url)
    login = await other.login(user=name, password="s3cret-pass!", is_admin=False)
    assert login.status == 200
    other.token = login.body
    return other


async def test_admin_creates_a_user_who_can_search_but_not_upload(api: Api) -> None:
    reader = await _user_api(api, "reader", ["search"])
    assert (await reader.call("POST", "/artifacts", json_body=[{"name": "*"}])).status == 200
    upload = await reader.register("model", "https://huggingface.co/google-bert/bert-base-uncased")
    assert_refused(upload, 401, "User 'reader' lacks the 'upload' permission.")


async def test_only_admins_reset_or_manage_users(api: Api) -> None:
    uploader = await _user_api(api, "uploader", ["upload", "search"])
    not_admin = "User 'uploader' lacks the 'admin' permission."
    assert_refused(await uploader.call("DELETE", "/reset"), 401, not_admin)
    assert_refused(await uploader.call("GET", "/users"), 401, not_admin)
    attempt = await uploader.call("POST", "/users", json_body={"name": "x", "password": "12345678"})
    assert_refused(attempt, 401, not_admin)


async def test_users_are_listed_without_password_hashes(api: Api) -> None:
    await _user_api(api, "listed", ["search", "download"])
    reply = await api.call("GET", "/users")
    assert reply.status == 200
    by_name = {u["name"]: u for u in reply.body}
    assert by_name["listed"] == {"name": "listed", "is_admin": False, "permissions": ["download", "search"]}
    assert by_name["ece30861defaultadminuser"]["is_admin"] is True
    assert all(set(u) == {"name", "is_admin", "permissions"} for u in reply.body)


async def test_granting_permissions_takes_effect_at_once(api: Api) -> None:
    user = await _user_api(api, "grantee", [])
    refused = await user.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert_refused(refused, 401, "User 'grantee' lacks the 'search' permission.")
    granted = await api.call("PUT", "/users/grantee/permissions", json_body={"permissions": ["search"]})
    assert granted.status == 200
    assert granted.body["permissions"] == ["search"]
    assert (await user.call("POST", "/artifacts", json_body=[{"name": "*"}])).status == 200


async def test_deleting_a_user_revokes_their_tokens(api: Api) -> None:
    user = await _user_api(api, "leaver", ["search"])
    assert (await api.call("DELETE", "/users/leaver")).status == 200
    revoked = await user.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert_refused(revoked, 403, "Authentication failed: the token is invalid or expired.")
    assert_refused(await api.call("DELETE", "/users/leaver"), 404, "No user named 'leaver'.")


async def test_user_admin_errors(api: Api) -> None:
    await _user_api(api, "twice", ["search"])
    again = await api.call("POST", "/users", json_body={"name": "twice", "password": "another-pass"})
    assert_refused(again, 409, "User 'twice' already exists.")
    short = await api.call("POST", "/users", json_body={"name": "shorty", "password": "123"})
    assert_refused(short, 400, "Invalid request body: password: String should have at least 8 characters.")
    bad_permission = await api.call("PUT", "/users/twice/permissions", json_body={"permissions": ["root"]})
    assert_refused(
        bad_permission,
        400,
        "Invalid request body: permissions.0: Input should be 'upload', 'search', 'download' or 'admin'.",
    )
    unknown = await api.call("PUT", "/users/ghost/permissions", json_body={"permissions": ["search"]})
    assert_refused(unknown, 404, "No user named 'ghost'.")
    default_admin = await api.call("DELETE", "/users/ece30861defaultadminuser")
    assert_refused(default_admin, 400, "The default administrator cannot be deleted.")


async def test_reset_removes_users_but_keeps_the_default_admin(api: Api) -> None:
    user = await _user_api(api, "temporary", ["search"])
    assert (await api.call("DELETE", "/reset")).status == 200
    revoked = await user.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert_refused(revoked, 403, "Authentication failed: the token is invalid or expired.")
    names = [u["name"] for u in (await api.call("GET", "/users")).body]
    assert names == ["ece30861defaultadminuser"]
    assert (await api.login()).status == 200
