"""``python -m scoring``: run one scoring-svc replica."""

from scoring.service import run_scoring
from scoring.settings import ScoringSettings
from svckit.runner import serve_process


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    # asyncio's own loop: uvloop's subprocess spawning hung beside the sandbox's forking threads (svckit.runner).
    serve_process("scoring-svc", ScoringSettings(), run_scoring, fast_loop=False)


if __name__ == "__main__":
    main()
