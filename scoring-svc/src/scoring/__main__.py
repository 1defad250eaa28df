"""``python -m scoring``: run one scoring-svc replica."""

from scoring.service import run_scoring
from scoring.settings import ScoringSettings
from svckit.runner import serve_process


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    serve_process("scoring-svc", ScoringSettings(), run_scoring)


if __name__ == "__main__":
    main()
