"""``python -m gateway``: run one gateway replica."""

from aiohttp import web

from gateway.app import init_app
from gateway.settings import GatewaySettings
from svckit.logging import configure_logging


def main() -> None:
    """Serve the public API until SIGINT/SIGTERM."""
    settings = GatewaySettings()
    configure_logging("gateway", log_format=settings.log_format, level=settings.log_level)
    web.run_app(
        init_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        access_log=None,
        print=None,
        shutdown_timeout=10,
    )


if __name__ == "__main__":
    main()
