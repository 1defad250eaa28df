"""``registry webhooks {add,ls,rm,deliveries}``: subscriptions to the registry's events."""

from typing import Annotated

import typer
from rich.table import Table

from registry_client import ops
from registry_client.cli.connect import registry
from registry_client.cli.output import JsonFlag, emit_json, out
from registry_client.hooks import Delivery, EventType, Webhook

hooks = typer.Typer(help="Subscribe URLs to registry events (signed Standard Webhooks).", no_args_is_help=True)


def _show(found: list[Webhook]) -> None:
    table = Table("id", "url", "events", "owner", "active", "created")
    for hook in found:
        state = "yes" if hook.active else f"no: {hook.disabled_reason or 'disabled'}"
        events = ", ".join(e.value for e in hook.events)
        table.add_row(hook.id, hook.url, events, hook.owner, state, hook.created.isoformat(timespec="seconds"))
    out.print(table)


@hooks.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where deliveries are POSTed.")],
    events: Annotated[
        list[EventType] | None, typer.Option("--event", "-e", help="An event type (repeat; default: every one).")
    ] = None,
    secret: Annotated[str | None, typer.Option(help="Signing secret (whsec_ + base64); generated when absent.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Subscribe URL; prints the subscription and its signing secret (shown only now)."""
    with registry() as client:
        created = client.send(ops.add_webhook(url, events or list(EventType), secret))
    if as_json:
        emit_json(created)
        return
    _show([created])
    out.print(f"secret (shown only now): {created.secret}")


@hooks.command("ls")
def list_hooks(as_json: JsonFlag = False) -> None:
    """List your subscriptions (an administrator's: all)."""
    with registry() as client:
        found = client.send(ops.list_webhooks())
    emit_json(found) if as_json else _show(found)


@hooks.command("rm")
def remove(
    webhook_id: Annotated[str, typer.Argument(help="The subscription's id.")], as_json: JsonFlag = False
) -> None:
    """Delete a subscription."""
    with registry() as client:
        client.send(ops.delete_webhook(webhook_id))
    emit_json({"deleted": webhook_id}) if as_json else out.print(f"Deleted webhook {webhook_id}.")


def _deliveries(found: list[Delivery]) -> None:
    table = Table("id", "type", "status", "attempts", "last status", "last error", "next attempt", "created")
    for item in found:
        table.add_row(
            item.id, item.type.value, item.status, str(item.attempts),
            "" if item.last_status is None else str(item.last_status), item.last_error or "",
            item.next_attempt.isoformat(timespec="seconds") if item.next_attempt else "",
            item.created.isoformat(timespec="seconds"),
        )  # fmt: skip
    out.print(table)


@hooks.command("deliveries")
def deliveries(
    webhook_id: Annotated[str, typer.Argument(help="The subscription's id.")], as_json: JsonFlag = False
) -> None:
    """A subscription's deliveries, newest first: status, attempts, last error."""
    with registry() as client:
        found = client.send(ops.deliveries(webhook_id))
    emit_json(found) if as_json else _deliveries(found)
