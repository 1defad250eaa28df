"""``python -m gateway``: run one gateway replica."""

from gateway.app import init_app
from gateway.settings import GatewaySettings
from svckit.runner import serve_web_app


def main() -> None:
    """Serve the public API until SIGINT/SIGTERM."""
    settings = GatewaySettings()
    serve_web_app(
        "gateway",
        settings,
        init_app,
        settings.gateway_host,
        settings.gateway_port,
        reuse_port=settings.gateway_reuse_port,
    )


if __name__ == "__main__":
    main()
