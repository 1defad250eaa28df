"""The ``registry`` command: its sub-commands, and the one place errors become a line and an exit code."""

import sys

import typer

from registry_client.cli import account, admin, artifacts, transfer, webhooks
from registry_client.cli.output import EXIT_CODES_HELP, Exit, error_line, exit_code
from registry_client.errors import RegistryError


def build() -> typer.Typer:
    """The command tree."""
    app = typer.Typer(
        name="registry",
        help="Command line of the trustworthy model registry (REGISTRY_URL, default http://127.0.0.1:8080). "
        "Every command takes --json and --help. " + EXIT_CODES_HELP + ".",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    account.register(app)
    transfer.register(app)
    artifacts.register(app)
    admin.register(app)
    app.add_typer(admin.users, name="users")
    app.add_typer(webhooks.hooks, name="webhooks")
    return app


def main() -> None:
    """Console entry point: run the command; a failure is one line on stderr and a documented exit code."""
    try:
        result = build()(standalone_mode=False)
    except RegistryError as error:
        error_line(str(error))
        sys.exit(int(exit_code(error)))
    except typer.TyperException as error:
        message = error.format_message()  # empty when the help was shown instead (no arguments)
        if message:
            error_line(f"{message} (see --help)")
        sys.exit(int(Exit.ERROR))
    except typer.Abort:
        error_line("aborted")
        sys.exit(int(Exit.ERROR))
    sys.exit(result if isinstance(result, int) else 0)
