"""What the CLI prints: tables and trees for people, ``--json`` for scripts, one line per error, exit codes."""

import json
import sys
from enum import IntEnum
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel, TypeAdapter
from rich.console import Console

from registry_client.errors import ChecksumMismatch, RegistryError


class Exit(IntEnum):
    """The CLI's exit codes (documented in ``registry --help`` and client/README.md)."""

    OK = 0
    ERROR = 1
    """Usage error, bad request (400) or anything else."""
    AUTH = 2
    """Not logged in, token expired or refused (403), or a permission missing (401)."""
    REFUSED = 3
    """The registry refused with 424: the quality gate at ingest, or a download of a failed file."""
    NOT_FOUND = 4
    """No such artifact, user or webhook (404)."""
    CHECKSUM = 5
    """Downloaded bytes do not match the registry's sha256: nothing kept under the final name."""
    CONFLICT = 6
    """Already exists (409)."""
    UNAVAILABLE = 7
    """The registry could not be reached, answered 5xx, or a transfer broke off (run again to resume)."""
    COPY_FAILED = 8
    """``ingest --wait``: the copy of the artifact's bytes ended ``failed`` or ``needs_credentials``."""


EXIT_CODES_HELP = "Exit codes: " + ", ".join(f"{code.value} {code.name.lower().replace('_', ' ')}" for code in Exit)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def exit_code(error: RegistryError) -> Exit:
    """The exit code for a failed call."""
    if isinstance(error, ChecksumMismatch):
        return Exit.CHECKSUM
    codes = {401: Exit.AUTH, 403: Exit.AUTH, 424: Exit.REFUSED, 404: Exit.NOT_FOUND, 409: Exit.CONFLICT}
    if error.status in codes:
        return codes[error.status]
    return Exit.UNAVAILABLE if error.status == 0 or error.status >= 500 else Exit.ERROR


def error_line(message: str) -> None:
    """One line on stderr (no markup: a message is printed as the registry wrote it)."""
    print(f"error: {' '.join(message.split())}", file=sys.stderr)


def fail(code: Exit, message: str) -> NoReturn:
    """Print ``message`` as the one error line and exit with ``code``."""
    error_line(message)
    raise typer.Exit(int(code))


def emit_json(value: Any) -> None:
    """``value`` as JSON on stdout (models through pydantic, so dates and enums come out as the API sends them)."""
    if isinstance(value, BaseModel):
        text = value.model_dump_json(exclude_none=False)
    else:
        text = TypeAdapter(Any).dump_json(value).decode()
    sys.stdout.write(json.dumps(json.loads(text), indent=2) + "\n")
