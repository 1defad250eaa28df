"""Administration: ``registry users {ls,add,rm,grant}`` and ``registry reset --yes``."""

import sys
from typing import Annotated

import typer
from rich.table import Table

from registry_client import ops
from registry_client.cli.connect import registry
from registry_client.cli.output import Exit, JsonFlag, emit_json, fail, out
from registry_client.models import NewUser, Permission, UserInfo

users = typer.Typer(help="Manage users and their permissions (administrators only).", no_args_is_help=True)

Permissions = Annotated[
    list[Permission] | None,
    typer.Option("--permission", "-p", help="A permission (repeat for several): upload, search, download, admin."),
]


def _show(found: list[UserInfo]) -> None:
    table = Table("name", "admin", "permissions")
    for user in found:
        table.add_row(user.name, "yes" if user.is_admin else "", ", ".join(p.value for p in user.permissions))
    out.print(table)


@users.command("ls")
def list_users(as_json: JsonFlag = False) -> None:
    """List every user and their permissions."""
    with registry() as client:
        found = client.send(ops.list_users())
    emit_json(found) if as_json else _show(found)


@users.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="The new user's name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an administrator.")] = False,
    permissions: Permissions = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a user (password on standard input, at least 8 characters; permissions default to search)."""
    if not password_stdin:
        fail(Exit.ERROR, "pass --password-stdin and the password on standard input")
    password = sys.stdin.read().removesuffix("\n")
    new = NewUser(name=name, password=password, is_admin=admin, permissions=permissions or [Permission.SEARCH])
    with registry() as client:
        created = client.send(ops.create_user(new))
    emit_json(created) if as_json else _show([created])


@users.command("rm")
def remove_user(name: Annotated[str, typer.Argument(help="The user to delete.")], as_json: JsonFlag = False) -> None:
    """Delete a user; their tokens stop working at once."""
    with registry() as client:
        client.send(ops.delete_user(name))
    emit_json({"deleted": name}) if as_json else out.print(f"Deleted user {name}.")


@users.command("grant")
def grant(
    name: Annotated[str, typer.Argument(help="The user.")],
    permissions: Annotated[list[Permission], typer.Argument(help="The permissions the user will hold (replaces).")],
    as_json: JsonFlag = False,
) -> None:
    """Replace a user's permissions."""
    with registry() as client:
        updated = client.send(ops.grant(name, permissions))
    emit_json(updated) if as_json else _show([updated])


def reset(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: every artifact and user is deleted.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Empty the registry (administrators only): every artifact and every user but the default admin."""
    if not yes:
        fail(Exit.ERROR, "reset deletes every artifact and user: pass --yes to confirm")
    with registry() as client:
        client.send(ops.reset())
    emit_json({"reset": True}) if as_json else out.print("The registry is reset.")


def register(app: typer.Typer) -> None:
    """Add the top-level admin commands to the CLI."""
    app.command()(reset)
