"""``python -m lineage``: run one lineage-svc replica (``ENTRY`` also runs it beside others: ``svckit.together``)."""

from lineage.service import run_lineage
from lineage.settings import LineageSettings
from svckit.runner import ServiceEntry

ENTRY = ServiceEntry("lineage-svc", LineageSettings, run_lineage)


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    ENTRY.serve()


if __name__ == "__main__":
    main()
