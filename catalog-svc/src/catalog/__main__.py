"""``python -m catalog``: run one catalog-svc replica."""

from catalog.service import run_catalog
from catalog.settings import CatalogSettings
from svckit.runner import serve_process


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    serve_process("catalog-svc", CatalogSettings(), run_catalog)


if __name__ == "__main__":
    main()
