"""The baseline: a bare aiohttp server on uvloop answering ``GET /artifacts/{type}/{id}`` with an Artifact-shaped body.

No auth, no NATS, no database: ``python -m bench.bare --port N``.
"""

import argparse
import json

import uvloop
from aiohttp import web


async def get_artifact(request: web.Request) -> web.Response:
    """An Artifact body (``{"metadata":{"name","id","type"},"data":{"url"}}``) built for the request."""
    kind, identifier = request.match_info["artifact_type"], request.match_info["id"]
    name = f"bert-base-uncased-{int(identifier[-4:]) if identifier[-4:].isdigit() else 0:04d}"
    body = {
        "metadata": {"name": name, "id": identifier, "type": kind},
        "data": {"url": f"https://huggingface.co/google/{name}"},
    }
    return web.Response(text=json.dumps(body), content_type="application/json")


def make_app() -> web.Application:
    """The one-route application."""
    app = web.Application()
    app.router.add_get("/artifacts/{artifact_type}/{id}", get_artifact)
    return app


def main() -> None:
    """Serve on 127.0.0.1 until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(
        make_app(),
        host=args.host,
        port=args.port,
        access_log=None,
        print=None,
        shutdown_timeout=2,
        loop=uvloop.new_event_loop(),
    )


if __name__ == "__main__":
    main()
