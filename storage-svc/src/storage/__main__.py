"""``python -m storage``: run one storage-svc replica."""

import asyncio

from storage.service import run_storage
from storage.settings import StorageSettings
from svckit.logging import configure_logging
from svckit.runner import run_until_signalled


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    settings = StorageSettings()
    configure_logging("storage-svc", log_format=settings.log_format, level=settings.log_level)

    async def serve(stop: asyncio.Event) -> None:
        await run_storage(settings, stop)

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
