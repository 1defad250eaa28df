"""Run the mirror: ``python -m tests.mirror --host 127.0.0.1 --port N [--fixtures DIR]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import signal
import sys

from aiohttp import web

from tests.mirror.app import build_app

DEFAULT_FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "upstream"


def _log(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, "component": "upstream-mirror", **fields}), flush=True)


async def _serve(args: argparse.Namespace) -> None:
    app = build_app(
        args.fixtures,
        github_anonymous_limit=args.gh_anonymous_limit,
        github_token_limit=args.gh_token_limit,
        latency=args.latency_ms / 1000,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else args.port
    base = f"http://{args.host}:{port}"
    _log(
        "listening",
        host=args.host,
        port=port,
        hf_endpoint=f"{base}/hf",
        github_api_url=f"{base}/gh",
        fixtures=str(args.fixtures),
    )
    await stop.wait()
    await runner.cleanup()
    _log("stopped")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m tests.mirror", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed in the log line)")
    parser.add_argument("--fixtures", type=pathlib.Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--gh-anonymous-limit", type=int, default=60)
    parser.add_argument("--gh-token-limit", type=int, default=5000)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="wait this long before each answer (a WAN round trip)"
    )
    args = parser.parse_args(argv)
    if not args.fixtures.is_dir():
        parser.error(f"fixtures directory not found: {args.fixtures}")
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
