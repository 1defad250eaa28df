"""``python -m webhooks``: run one webhook-svc replica (``ENTRY`` also runs it beside others: ``svckit.together``)."""

from svckit.runner import ServiceEntry
from webhooks.service import run_webhooks
from webhooks.settings import WebhookSettings

ENTRY = ServiceEntry("webhook-svc", WebhookSettings, run_webhooks)


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    ENTRY.serve()


if __name__ == "__main__":
    main()
