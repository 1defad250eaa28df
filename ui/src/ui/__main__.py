"""``python -m ui``: serve the web UI."""

from svckit.runner import serve_web_app
from ui.app import init_app
from ui.settings import UiSettings


def main() -> None:
    """Serve the UI until SIGINT/SIGTERM."""
    settings = UiSettings()
    serve_web_app("ui", settings, init_app, settings.ui_host, settings.ui_port)


if __name__ == "__main__":
    main()
