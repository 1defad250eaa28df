"""The health dashboard."""

import asyncio

from aiohttp import web

from ui import dashboard as view
from ui.context import registry, token
from ui.outcome import attempt
from ui.pages import render


async def page(request: web.Request) -> web.Response:
    """``GET /dashboard?window=N``: component status, issues, per-minute charts, routes, ingest, logs."""
    window = view.parse_window(request.query.get("window"))
    api = registry(request)
    components, detail = await asyncio.gather(
        attempt(api.health_components(window)), attempt(api.health_dashboard(token(request), window))
    )
    context = view.dashboard_view(window, components.value, detail.value)
    context["errors"] = {
        "components": components.error,
        "detail": None if detail.status == 404 else detail.error,
    }
    return render(request, "dashboard.html", context)
