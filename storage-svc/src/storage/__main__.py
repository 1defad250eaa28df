"""``python -m storage``: run one storage-svc replica (``ENTRY`` also runs it beside others: ``svckit.together``)."""

from storage.service import run_storage
from storage.settings import StorageSettings
from svckit.runner import ServiceEntry

ENTRY = ServiceEntry("storage-svc", StorageSettings, run_storage)


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    ENTRY.serve()


if __name__ == "__main__":
    main()
