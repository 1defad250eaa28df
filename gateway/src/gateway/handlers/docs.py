"""``/openapi.yaml`` (the spec plus our additions) and ``/docs`` (Swagger UI served locally)."""

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from gateway.context import OPENAPI, settings

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Trustworthy Model Registry API</title>
  <link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
  <main id="swagger-ui" aria-label="API documentation"></main>
  <script src="/docs/static/swagger-ui-bundle.js"></script>
  <script src="/docs/static/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/static/init.js"></script>
</body>
</html>
"""

INIT_JS = """window.ui = SwaggerUIBundle({
  url: "/openapi.yaml", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"
});
"""


async def registry_front_door(request: web.Request) -> web.StreamResponse:
    """``GET /``: a browser opening the registry's address is sent to the web UI (``GATEWAY_UI_URL``), or to the
    API docs when no UI is configured."""
    raise web.HTTPFound(settings(request).gateway_ui_url or "/docs")


def build_document() -> bytes:
    """The public spec with our additions merged in (additions never replace a spec operation nor one of its
    answers; ``spec_responses`` adds answers to spec operations)."""
    folder = resources.files("gateway") / "openapi"
    spec: dict[str, Any] = yaml.safe_load((folder / "spec.yaml").read_text(encoding="utf-8"))
    additions: dict[str, Any] = yaml.safe_load((folder / "additions.yaml").read_text(encoding="utf-8"))
    for path, item in additions.get("paths", {}).items():
        if path in spec["paths"]:
            raise ValueError(f"additions.yaml must not redefine spec path {path}")
        spec["paths"][path] = item
    for path, methods in additions.get("spec_responses", {}).items():
        for method, responses in methods.items():
            answers = spec["paths"][path][method]["responses"]
            if set(answers) & set(responses):
                raise ValueError(f"additions.yaml must not replace the spec's answers of {method} {path}")
            answers.update(responses)
    components = spec.setdefault("components", {})
    for section, entries in additions.get("components", {}).items():
        target = components.setdefault(section, {})
        clash = set(target) & set(entries)
        if clash:
            raise ValueError(f"additions.yaml must not redefine components.{section}: {sorted(clash)}")
        target.update(entries)
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True).encode()


def swagger_static_dir() -> Path:
    """Swagger UI's files, shipped by the swagger-ui-bundle package (no CDN at run time)."""
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


async def open_api_document(request: web.Request) -> web.Response:
    """``GET /openapi.yaml``."""
    return web.Response(body=request.app[OPENAPI], content_type="application/yaml")


async def api_docs(_: web.Request) -> web.Response:
    """``GET /docs``."""
    return web.Response(text=DOCS_PAGE, content_type="text/html")


async def api_docs_init(_: web.Request) -> web.Response:
    """The small script that starts Swagger UI on our document."""
    return web.Response(text=INIT_JS, content_type="application/javascript")
