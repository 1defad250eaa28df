"""A client's ``Idempotency-Key`` on the user writes (our addition): a request sent again with its key is carried out
once and answered as the first time; the key belongs to the caller and to one request."""

from tests.api import Api

NEW_USER = {"name": "carol", "password": "a long enough password", "permissions": ["search"]}


async def _users(admin: Api) -> list[str]:
    listed = await admin.call("GET", "/users")
    assert listed.status == 200, listed.body
    return [user["name"] for user in listed.body]


async def test_a_creation_sent_again_with_its_key_is_carried_out_once_and_answered_again(admin: Api) -> None:
    first = await admin.call("POST", "/users", json_body=NEW_USER, headers={"Idempotency-Key": "create-carol-1"})
    again = await admin.call("POST", "/users", json_body=NEW_USER, headers={"Idempotency-Key": "create-carol-1"})
    assert (first.status, again.status) == (201, 201)
    assert first.body == again.body
    unkeyed = await admin.call("POST", "/users", json_body=NEW_USER)
    assert unkeyed.status == 409  # without the key, a second creation is a second request
    assert (await _users(admin)).count("carol") == 1


async def test_a_deletion_sent_again_with_its_key_answers_as_the_first_time(admin: Api) -> None:
    assert (await admin.call("POST", "/users", json_body=NEW_USER)).status == 201
    for _ in range(2):
        deleted = await admin.call("DELETE", "/users/carol", headers={"Idempotency-Key": "delete-carol"})
        assert (deleted.status, deleted.body) == (200, {"message": "User is deleted."})
    assert "carol" not in await _users(admin)


async def test_a_key_used_again_for_another_request_is_a_conflict(admin: Api) -> None:
    headers = {"Idempotency-Key": "reused"}
    assert (await admin.call("POST", "/users", json_body=NEW_USER, headers=headers)).status == 201
    other = await admin.call("POST", "/users", json_body={**NEW_USER, "name": "dave"}, headers=headers)
    assert (other.status, other.body["message"]) == (409, "This idempotency key was used with a different request.")
    assert "dave" not in await _users(admin)


async def test_a_key_belongs_to_its_caller(admin: Api) -> None:
    """Another administrator sending the same key and body runs its own request (here refused: the name is taken),
    rather than being answered with the first caller's outcome."""
    admin_two = {"name": "admin-two", "password": "a long enough password", "is_admin": True}
    assert (await admin.call("POST", "/users", json_body=admin_two)).status == 201
    other_token = (await admin.login("admin-two", "a long enough password")).body
    headers = {"Idempotency-Key": "shared"}
    assert (await admin.call("POST", "/users", json_body=NEW_USER, headers=headers)).status == 201
    theirs = await admin.call("POST", "/users", json_body=NEW_USER, headers=headers, token=other_token)
    assert (theirs.status, theirs.body["message"]) == (409, "User 'carol' already exists.")


async def test_a_malformed_key_is_a_400(admin: Api) -> None:
    reply = await admin.call("POST", "/users", json_body=NEW_USER, headers={"Idempotency-Key": "x" * 256})
    assert (reply.status, reply.body["message"]) == (
        400,
        "The Idempotency-Key header must be 1-255 visible ASCII characters.",
    )
