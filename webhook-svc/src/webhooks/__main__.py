"""``python -m webhooks``: run one webhook-svc replica."""

from svckit.runner import serve_process
from webhooks.service import run_webhooks
from webhooks.settings import WebhookSettings


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    serve_process("webhook-svc", WebhookSettings(), run_webhooks)


if __name__ == "__main__":
    main()
