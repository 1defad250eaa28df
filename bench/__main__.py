"""``python -m bench [backbone|storage|all] [--quick]``: measure the registry and print the report.

``backbone`` drives the gateway → NATS → catalog-svc path against a bare aiohttp server; ``storage``
registers models, ingests a package, uploads a file, measures what the bucket holds per unique stored byte and
downloads the package (a tar streamed by storage-svc) and the file (presigned S3) through the registry against
direct S3 downloads; ``all`` (the default) runs both, one section after the other.

Exits 0 when every request succeeded (missed targets are a measurement, not a failure), 1 when some
requests failed, 2 when a stack did not start.
"""

import argparse
import signal
import sys
from types import FrameType

from bench.config import BenchConfig, StorageConfig
from bench.load import LoginFailed
from bench.report import print_report
from bench.run import run
from bench.servers import StackFailed
from bench.storage_report import print_storage_report
from bench.storage_run import run_storage
from bench.storage_seed import SeedFailed
from svckit.logging import configure_logging

SUITES = ("all", "backbone", "storage")


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, report; the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("suite", nargs="?", choices=SUITES, default="all", help="what to run (default: all)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="backbone: 500 artifacts, 200 requests per scenario; storage: 50 models, 100 downloads per scenario",
    )
    args = parser.parse_args(argv)
    configure_logging("bench", log_format="json", level="warning")
    signal.signal(signal.SIGTERM, _terminate)
    mode = "quick" if args.quick else "full"
    status = 0
    try:
        if args.suite in ("all", "backbone"):
            status = max(status, _backbone(args.quick, mode))
        if args.suite in ("all", "storage"):
            if args.suite == "all":
                print("\n")
            status = max(status, _storage(args.quick, mode))
    except StackFailed as failure:
        sys.stderr.write(f"bench: the stack failed to start: {failure}\n")
        return 2
    except (LoginFailed, SeedFailed) as failure:
        sys.stderr.write(f"bench: {failure}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("bench: interrupted; every process was stopped\n")
        return 130
    return status


def _backbone(quick: bool, mode: str) -> int:
    outcome = run(BenchConfig.quick() if quick else BenchConfig.full(), mode)
    print_report(outcome.info, outcome.results)
    sys.stdout.flush()
    return 1 if any(result.errors for result in outcome.results) else 0


def _storage(quick: bool, mode: str) -> int:
    outcome = run_storage(StorageConfig.quick() if quick else StorageConfig.full(), mode)
    print_storage_report(outcome)
    return 1 if any(result.errors for result in outcome.results) else 0


if __name__ == "__main__":
    sys.exit(main())
