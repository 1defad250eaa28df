"""``python -m bench [--quick]``: measure the backbone against a bare aiohttp server and print the report.

Exits 0 when every request succeeded (missed targets are a measurement, not a failure), 1 when some
requests failed, 2 when the stack did not start.
"""

import argparse
import signal
import sys
from types import FrameType

from bench.config import BenchConfig
from bench.load import LoginFailed
from bench.report import print_report
from bench.run import run
from bench.servers import StackFailed
from svckit.logging import configure_logging


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, report; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="500 artifacts, 200 requests per scenario")
    args = parser.parse_args(argv)
    configure_logging("bench", log_format="json", level="warning")
    signal.signal(signal.SIGTERM, _terminate)
    config = BenchConfig.quick() if args.quick else BenchConfig.full()
    try:
        outcome = run(config, "quick" if args.quick else "full")
    except StackFailed as failure:
        sys.stderr.write(f"bench: the stack failed to start: {failure}\n")
        return 2
    except LoginFailed as failure:
        sys.stderr.write(f"bench: {failure}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("bench: interrupted; every process was stopped\n")
        return 130
    print_report(outcome.info, outcome.results)
    return 1 if any(result.errors for result in outcome.results) else 0


if __name__ == "__main__":
    sys.exit(main())
