"""``python -m ui``: serve the web UI."""

from aiohttp import web

from svckit.logging import configure_logging
from ui.app import init_app
from ui.settings import UiSettings


def main() -> None:
    """Serve the UI until SIGINT/SIGTERM."""
    settings = UiSettings()
    configure_logging("ui", log_format=settings.log_format, level=settings.log_level)
    web.run_app(
        init_app(settings),
        host=settings.ui_host,
        port=settings.ui_port,
        access_log=None,
        print=None,
        shutdown_timeout=10,
    )


if __name__ == "__main__":
    main()
