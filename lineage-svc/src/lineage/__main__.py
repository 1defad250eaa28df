"""``python -m lineage``: run one lineage-svc replica."""

from lineage.service import run_lineage
from lineage.settings import LineageSettings
from svckit.runner import serve_process


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    serve_process("lineage-svc", LineageSettings(), run_lineage)


if __name__ == "__main__":
    main()
