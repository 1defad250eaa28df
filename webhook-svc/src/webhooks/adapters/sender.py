"""``Sender``: one signed POST per attempt (Standard Webhooks headers), over a session whose resolver refuses
addresses webhooks may not reach."""

import asyncio
from datetime import datetime

import aiohttp
from prometheus_client import CollectorRegistry, Counter
from standardwebhooks import Webhook

from svckit.clock import utc_now
from webhooks.adapters.targets import CheckedResolver
from webhooks.domain.retry import AttemptResult
from webhooks.domain.targets import IPNetwork, RefusedTarget, check_address, parse_target

ERROR_CHARS = 500


def signed_headers(secret: str, delivery_id: str, body: str, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, now, body),
        "content-type": "application/json",
    }


def open_session(allowed: tuple[IPNetwork, ...], timeout: float) -> aiohttp.ClientSession:
    """The delivery session: checked resolution, no DNS cache, no redirects followed (set per request)."""
    connector = aiohttp.TCPConnector(resolver=CheckedResolver(allowed), use_dns_cache=False, limit=64)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout))


class HttpSender:
    """POSTs deliveries; a 2xx is success, anything else (or no answer) is a failure with its reason. Each attempt
    counts in ``registry_webhook_attempts_total{result}`` (2xx, 3xx, 4xx, 5xx, error, refused)."""

    def __init__(
        self, session: aiohttp.ClientSession, allowed: tuple[IPNetwork, ...], registry: CollectorRegistry | None = None
    ) -> None:
        self._session = session
        self._allowed = allowed
        self._attempts = Counter(
            "registry_webhook_attempts_total",
            "Webhook delivery attempts by result: the answer's status class, no answer (error) or a refused address.",
            ["result"],
            registry=registry if registry is not None else CollectorRegistry(),
        )

    async def send(self, url: str, secret: str, delivery_id: str, body: str) -> AttemptResult:
        """One attempt, never raising: its status, or the error that stopped it."""
        result = await self._send(url, secret, delivery_id, body)
        if result.status is not None:
            label = f"{result.status // 100}xx"
        else:  # an address refused here or by the resolver says "refused:"
            label = "refused" if "refused:" in (result.error or "") else "error"
        self._attempts.labels(result=label).inc()
        return result

    async def _send(self, url: str, secret: str, delivery_id: str, body: str) -> AttemptResult:
        try:
            _, literal = parse_target(url)
            if literal is not None:  # aiohttp does not resolve IP literals: check them here
                check_address(literal, self._allowed)
        except RefusedTarget as refused:
            return AttemptResult(None, f"refused: {refused}")
        headers = signed_headers(secret, delivery_id, body, utc_now())
        try:
            async with self._session.post(url, data=body.encode(), headers=headers, allow_redirects=False) as answer:
                # the answer's body is never read: only its status counts, and a receiver cannot make us read more
                if 200 <= answer.status < 300:
                    return AttemptResult(answer.status, None)
                reason = f"HTTP {answer.status} {answer.reason or ''}".strip()  # the receiver chooses the reason
                return AttemptResult(answer.status, reason[:ERROR_CHARS])
        except TimeoutError:
            return AttemptResult(None, "no answer within the time limit")
        except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as error:
            return AttemptResult(None, (str(error) or type(error).__name__)[:ERROR_CHARS])
