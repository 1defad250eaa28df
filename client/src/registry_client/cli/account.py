"""``registry login``, ``whoami`` and ``logout``: the stored token and what is left of it."""

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from registry_client import session as stored
from registry_client.cli.connect import registry, target_url
from registry_client.cli.output import Exit, JsonFlag, emit_json, fail, out
from registry_client.client import registry_url


def login(
    user: Annotated[str, typer.Option("--user", help="User name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (required).")
    ] = False,
    url: Annotated[str | None, typer.Option("--url", help="Registry URL (default: REGISTRY_URL or local).")] = None,
    max_calls: Annotated[
        int, typer.Option(help="The registry's TOKEN_MAX_USES: calls a token lasts.", min=1)
    ] = stored.DEFAULT_MAX_CALLS,
    lifetime_hours: Annotated[
        float, typer.Option(help="The registry's TOKEN_LIFETIME_HOURS: hours a token lasts.", min=0.01)
    ] = stored.DEFAULT_LIFETIME_HOURS,
    as_json: JsonFlag = False,
) -> None:
    """Sign in and keep the token in the user's config directory (mode 0600) with its expiry."""
    if not password_stdin:
        fail(Exit.ERROR, "pass --password-stdin and the password on standard input (never on the command line)")
    password = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    if not password:
        fail(Exit.ERROR, "no password on standard input")
    target = registry_url(url) if url else target_url()
    with registry(authenticated=False, url=target) as client:
        token = client.login(user, password)
    login = stored.Session(
        url=target, user=user, token=token, issued_at=datetime.now(UTC),
        max_calls=max_calls, lifetime_hours=lifetime_hours,
    )  # fmt: skip
    path = stored.save(login)
    if as_json:
        emit_json({"url": target, "user": user, "session_file": str(path), **_expiry(login)})
        return
    out.print(f"Logged in to {target} as {user}; token kept in {path} (mode 0600).")


def _expiry(login: stored.Session) -> dict[str, object]:
    return {
        "calls_left": login.calls_left(), "seconds_left": int(login.time_left().total_seconds()),
        "expires_at": login.expires_at.isoformat(),
    }  # fmt: skip


def whoami(as_json: JsonFlag = False) -> None:
    """Show the stored login: registry, user, and what is left of the token (calls, time)."""
    login = stored.load()
    if login is None:
        fail(Exit.AUTH, "not logged in: run `registry login --user NAME --password-stdin`")
    if as_json:
        emit_json({"url": login.url, "user": login.user, **_expiry(login)})
        return
    left = login.time_left()
    hours, rest = divmod(int(left.total_seconds()), 3600)
    out.print(f"{login.user} at {login.url}")
    out.print(
        f"token: at most {login.calls_left()} of {login.max_calls} calls left, {hours} h {rest // 60:02d} min left"
    )
    if login.expired():
        raise typer.Exit(int(Exit.AUTH))


def logout(as_json: JsonFlag = False) -> None:
    """Forget the stored token."""
    existed = stored.forget()
    if as_json:
        emit_json({"logged_out": existed})
    else:
        out.print("Logged out." if existed else "There was no stored login.")


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    app.command()(login)
    app.command()(whoami)
    app.command()(logout)
