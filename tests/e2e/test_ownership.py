"""Each artifact records who registered it; only that user or an administrator may update or delete it."""

import io

import aiohttp

from tests.api import Api

WHISPER_CODE = "https://github.com/openai/whisper"
BERT_CODE = "https://github.com/google-research/bert"
PASSWORD = "s3cret-pass!"


async def _user(api: Api, name: str) -> Api:
    body = {"name": name, "password": PASSWORD, "permissions": ["upload", "search"]}
    created = await api.call("POST", "/users", json_body=body)
    assert created.status == 201, created.body
    user = Api(api.session, api.base_url)
    login = await user.login(user=name, password=PASSWORD, is_admin=False)
    assert login.status == 200, login.body
    user.token = login.body
    return user


async def _owner(api: Api, path: str) -> str | None:
    package = await api.call("GET", f"{path}/package")
    assert package.status == 200, package.body
    owner = package.body["owner"]
    assert owner is None or isinstance(owner, str)
    return owner


async def test_another_users_update_and_delete_are_refused_with_401(api: Api) -> None:
    alice, bob = await _user(api, "alice"), await _user(api, "bob")
    created = (await alice.register("code", WHISPER_CODE)).body
    path = f"/artifacts/code/{created['metadata']['id']}"
    update = await bob.call("PUT", path, json_body={"metadata": created["metadata"], "data": {"url": BERT_CODE}})
    assert update.status == 401
    assert update.body["message"] == (
        f"User 'bob' may not change code artifact {created['metadata']['id']}: "
        "only its owner 'alice' or an administrator may."
    )
    delete = await bob.call("DELETE", path)
    assert delete.status == 401
    assert "only its owner 'alice'" in delete.body["message"]
    unchanged = await bob.call("GET", path)
    assert unchanged.body["data"]["url"] == WHISPER_CODE


async def test_the_owner_and_an_admin_update_and_delete(api: Api) -> None:
    alice = await _user(api, "alice")
    created = (await alice.register("code", WHISPER_CODE)).body
    path = f"/artifacts/code/{created['metadata']['id']}"
    by_owner = await alice.call("PUT", path, json_body={"metadata": created["metadata"], "data": {"url": BERT_CODE}})
    assert by_owner.status == 200, by_owner.body
    by_admin = await api.call("PUT", path, json_body={"metadata": created["metadata"], "data": {"url": WHISPER_CODE}})
    assert by_admin.status == 200, by_admin.body
    assert await _owner(api, path) == "alice"
    assert (await api.call("DELETE", path)).status == 200
    second = (await alice.register("code", WHISPER_CODE)).body
    assert (await alice.call("DELETE", f"/artifacts/code/{second['metadata']['id']}")).status == 200


async def test_the_package_view_names_the_owner_and_the_audit_trail_its_creation(api: Api) -> None:
    alice = await _user(api, "alice")
    created = (await alice.register("code", WHISPER_CODE)).body
    path = f"/artifacts/code/{created['metadata']['id']}"
    assert await _owner(api, path) == "alice"
    trail = await api.call("GET", f"/artifact/code/{created['metadata']['id']}/audit")
    assert trail.body[0]["action"] == "CREATE"
    assert trail.body[0]["user"] == {"name": "alice", "is_admin": False}


async def test_an_upload_is_owned_by_its_uploader(api: Api) -> None:
    alice, bob = await _user(api, "alice"), await _user(api, "bob")
    content = b"id,label\n1,cat\n"
    slot = await alice.call(
        "POST", "/artifact/dataset/upload", json_body={"filename": "data.csv", "size": len(content)}
    )
    assert slot.status == 201, slot.body
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.put(slot.body["put_url"], data=io.BytesIO(content)) as put,
    ):
        assert put.status == 200
    created = await alice.call("POST", slot.body["complete_url"], json_body={"name": "pets", "filename": "data.csv"})
    assert created.status == 201, created.body
    path = f"/artifacts/dataset/{created.body['metadata']['id']}"
    assert await _owner(api, path) == "alice"
    assert (await bob.call("DELETE", path)).status == 401
    assert (await alice.call("DELETE", path)).status == 200
