"""``DELETE /reset`` and ``GET /tracks``."""

import asyncio

from aiohttp import web

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.base import Empty
from gateway.codec import json_response
from gateway.context import actor, client, settings


async def registry_reset(request: web.Request) -> web.Response:
    """Ask every service that owns a store to return it to the default state."""
    command = ResetRequest(actor=actor(request))
    services = client(request)
    await asyncio.gather(
        *(services.call(subjects.reset_subject(s), command, Empty) for s in subjects.RESETTABLE_SERVICES)
    )
    return json_response({"message": "Registry is reset."})


async def get_tracks(request: web.Request) -> web.Response:
    """The tracks this registry implements."""
    return json_response({"plannedTracks": settings(request).planned_tracks})
