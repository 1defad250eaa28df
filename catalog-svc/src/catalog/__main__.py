"""``python -m catalog``: run one catalog-svc replica (``ENTRY`` also runs it beside others: ``svckit.together``)."""

from catalog.service import run_catalog
from catalog.settings import CatalogSettings
from svckit.runner import ServiceEntry

ENTRY = ServiceEntry("catalog-svc", CatalogSettings, run_catalog)


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    ENTRY.serve()


if __name__ == "__main__":
    main()
