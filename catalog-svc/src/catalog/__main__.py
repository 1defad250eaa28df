"""``python -m catalog``: run one catalog-svc replica."""

import asyncio

from catalog.service import run_catalog
from catalog.settings import CatalogSettings
from svckit.logging import configure_logging
from svckit.runner import run_until_signalled


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    settings = CatalogSettings()
    configure_logging("catalog-svc", log_format=settings.log_format, level=settings.log_level)

    async def serve(stop: asyncio.Event) -> None:
        await run_catalog(settings, stop)

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
