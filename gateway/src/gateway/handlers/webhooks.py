"""Webhooks (our addition): subscribe a URL to registry events, list, remove, and read its deliveries.

Any authenticated user may subscribe; webhook-svc tells a non-administrator only about their own artifacts.
"""

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from contracts import subjects
from contracts.base import Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.webhooks import (
    CreateSubscription,
    DeliveryList,
    EventType,
    ListSubscriptions,
    SubscriptionInfo,
    SubscriptionList,
    SubscriptionRef,
)
from gateway.codec import json_response, read_body
from gateway.context import actor, client


class WebhookIn(BaseModel):
    """Body of ``POST /webhooks``."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048)
    events: list[EventType] = Field(min_length=1)
    secret: str | None = Field(default=None, max_length=256)


def _subscription(info: SubscriptionInfo) -> dict[str, Any]:
    shown = info.model_dump(mode="json")
    if info.secret is None:
        del shown["secret"]
    return shown


def _ref(request: web.Request) -> SubscriptionRef:
    raw = request.match_info["webhook_id"]
    if len(raw) > 64:  # no id is that long
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No webhook with id {raw[:64]}...")
    return SubscriptionRef(id=raw, actor=actor(request))


async def webhook_create(request: web.Request) -> web.Response:
    """``POST /webhooks`` {url, events[, secret]} → 201 with the subscription and its secret (shown only here)."""
    body = await read_body(request, WebhookIn)
    command = CreateSubscription(url=body.url, events=body.events, secret=body.secret, actor=actor(request))
    created = await client(request).call(subjects.WEBHOOK_CREATE, command, SubscriptionInfo)
    return json_response(_subscription(created), status=201)


async def webhooks_list(request: web.Request) -> web.Response:
    """``GET /webhooks``: the caller's subscriptions (an administrator's: all)."""
    found = await client(request).call(subjects.WEBHOOK_LIST, ListSubscriptions(actor=actor(request)), SubscriptionList)
    return json_response([_subscription(item) for item in found.items])


async def webhook_delete(request: web.Request) -> web.Response:
    """``DELETE /webhooks/{id}`` → {id}; 404 unless the caller's."""
    ref = _ref(request)
    await client(request).call(subjects.WEBHOOK_DELETE, ref, Empty)
    return json_response({"id": ref.id})


async def webhook_deliveries(request: web.Request) -> web.Response:
    """``GET /webhooks/{id}/deliveries``: newest first; 404 unless the caller's."""
    found = await client(request).call(subjects.WEBHOOK_DELIVERIES, _ref(request), DeliveryList)
    return json_response([item.model_dump(mode="json") for item in found.items])
