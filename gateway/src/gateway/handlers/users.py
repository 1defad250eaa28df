"""User administration (our addition to the spec; admins only)."""

from aiohttp import web

from contracts import subjects
from contracts.base import Empty
from contracts.users import CreateUser, DeleteUser, GrantPermissions, UserInfo, UserList
from gateway.codec import json_response, models_json, read_body
from gateway.context import client
from gateway.schemas import NewUserIn, PermissionsIn


async def user_create(request: web.Request) -> web.Response:
    """``POST /users`` → 201 with the user (never the password)."""
    body = await read_body(request, NewUserIn)
    command = CreateUser(name=body.name, password=body.password, is_admin=body.is_admin, permissions=body.permissions)
    return json_response(await client(request).call(subjects.USER_CREATE, command, UserInfo), status=201)


async def users_list(request: web.Request) -> web.Response:
    """``GET /users``."""
    users = await client(request).call(subjects.USER_LIST, Empty(), UserList)
    return models_json(users.items)


async def user_delete(request: web.Request) -> web.Response:
    """``DELETE /users/{name}``: the user's tokens stop working at once."""
    await client(request).call(subjects.USER_DELETE, DeleteUser(name=request.match_info["name"]), Empty)
    return json_response({"message": "User is deleted."})


async def user_grant(request: web.Request) -> web.Response:
    """``PUT /users/{name}/permissions``: replace the user's permissions."""
    body = await read_body(request, PermissionsIn)
    command = GrantPermissions(name=request.match_info["name"], permissions=body.permissions)
    return json_response(await client(request).call(subjects.USER_GRANT, command, UserInfo))
