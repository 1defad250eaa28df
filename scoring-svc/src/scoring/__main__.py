"""``python -m scoring``: run one scoring-svc replica (``ENTRY`` also runs it beside others: ``svckit.together``)."""

from scoring.service import run_scoring
from scoring.settings import ScoringSettings
from svckit.runner import ServiceEntry

# asyncio's own loop: uvloop's subprocess spawning hung beside the sandbox's forking threads (svckit.runner).
ENTRY = ServiceEntry("scoring-svc", ScoringSettings, run_scoring, fast_loop=False)


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    ENTRY.serve()


if __name__ == "__main__":
    main()
